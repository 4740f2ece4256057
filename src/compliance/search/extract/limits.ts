/**
 * The bounds of attachment text extraction, in one place: a file is untrusted input from
 * outside the firm, so every extraction is capped in input size, unpacked size, time, memory
 * and output, and a file over a bound is reported with the bound it crossed.
 */

/** PDF and Office files larger than this are indexed by name only (bytes): their images make them large while their text stays small, hence a bound above the text files' one. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Total unpacked size of the parts read from one Office file (bytes): a zip bomb stops here. */
export const MAX_UNPACKED_BYTES = 128 * 1024 * 1024;

/** Text kept per file (characters); the rest is cut and the cut is said in `reason`. */
export const MAX_TEXT_CHARS = 1_000_000;

/** Wall-clock time one file may take in its worker (ms) before the worker is terminated. */
export const EXTRACT_TIMEOUT_MS = 10_000;

/** V8 heap of an extraction worker (MB): a file that needs more fails alone, not the process. */
export const WORKER_HEAP_MB = 256;

/** Raised inside an extractor when a bound is crossed; the pool reports it as `too-large`. */
export class ExtractLimitError extends Error {
  override name = 'ExtractLimitError';
}
