/**
 * How large a request body each route takes: Fastify refuses a larger one with HTTP 413 before
 * reading further or parsing any of it, so no route can be made to hold more in memory than
 * its work needs. Most routes take a few fields; the wizard's tests carry a CA bundle or
 * private keys; only the routes that carry a mapping CSV take a whole file.
 */
import { MAPPING_CSV_MAX_BYTES } from '../mapping/index.js';

/** Every route not named below: logins, accounts, problem actions, searches (64 KiB). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The wizard's connection tests: a private CA bundle (up to 100,000 characters) or several private keys (1 MiB). */
export const TEST_BODY_LIMIT = 1024 * 1024;

/** A mapping CSV in JSON: the preview, and saving a connector with its CSV. */
export const MAPPING_BODY_LIMIT = MAPPING_CSV_MAX_BYTES;
