/**
 * How large a mapping CSV may be, wherever one arrives (the console's upload, a stored
 * connector definition): a large firm's file is a few MB, so 25 MiB leaves room without letting
 * one request hold an unbounded string.
 */

/** Bytes of a mapping CSV a request may carry (also the HTTP body limit of the routes that take one). */
export const MAPPING_CSV_MAX_BYTES = 25 * 1024 * 1024;

/** Characters of a mapping CSV: never more than its bytes, so the body limit decides first. */
export const MAPPING_CSV_MAX_CHARS = MAPPING_CSV_MAX_BYTES;
