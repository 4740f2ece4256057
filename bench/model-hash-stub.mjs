// For bench/ingest-log.bench.ts only: loaded in place of dist/core/sha256.js on the main thread
// by bench/without-ingest-log-hooks.mjs, so that the runs without the ingest log do not hash
// each item's model for its digest (the prepare threads are stubbed by bench/without-ingest-log.mjs).
// The blob hashes stay real.
export * from '../dist/core/sha256.js';

/** @type {typeof import('../dist/core/sha256.js').modelSha256} */
export const modelSha256 = () => '';
