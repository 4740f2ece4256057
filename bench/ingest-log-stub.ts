/**
 * For bench/ingest-log.bench.ts only: loaded in place of dist/store/ingest-log.js by
 * bench/without-ingest-log-hooks.mjs, it is the pipeline without its ingest log. Appending
 * does nothing and the event builders return one constant event, so neither the digests nor
 * the chain are computed: everything the log adds to a run is left out. The model hashes the
 * prepare threads compute for the items' digests are left out too (bench/model-hash-stub.mjs):
 * the item builder here refuses a real one, so a run in which the threads still hashed their
 * models fails instead of counting their cost on both sides. Never part of the product.
 */
import * as real from '../dist/store/ingest-log.js';

// Everything else is the real module's (a module's own exports take precedence over `export *`).
export * from '../dist/store/ingest-log.js';

const none: real.IngestEventInput = { kind: 'raw', connectorId: '', ref: '', digest: '' };
export const appendIngest: typeof real.appendIngest = async () => undefined;
export const appendIngestOn: typeof real.appendIngestOn = () => undefined;
export const rawEvent: typeof real.rawEvent = () => none;
export const itemEvent: typeof real.itemEvent = (i) => {
  if (i.modelSha256 !== '') throw new Error('a prepare thread hashed its model: the model hash stub did not reach it');
  return none;
};
export const entryEvent: typeof real.entryEvent = () => none;
