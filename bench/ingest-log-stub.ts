/**
 * For bench/ingest-log.bench.ts only, loaded in place of src/store/ingest-log.ts by
 * bench/without-ingest-log-hooks.mjs. BENCH_INGEST_LOG=off turns appends into no-ops (the
 * pipeline without its log); =timed keeps the real log and adds up the time spent building
 * and appending its events, in `globalThis.ingestLogMs`. Never part of the product.
 */
import * as real from '../src/store/ingest-log.js';

export * from '../src/store/ingest-digest.js';
export { ingestHash, ingestHead, inTransaction } from '../src/store/ingest-log.js';

const g = globalThis as { ingestLogMs?: number };
g.ingestLogMs = 0;
const timed =
  <A extends unknown[], R>(fn: (...a: A) => R) =>
  (...a: A): R => {
    const t = performance.now();
    const r = fn(...a);
    if (r instanceof Promise) {
      return r.finally(() => (g.ingestLogMs! += performance.now() - t)) as R;
    }
    g.ingestLogMs! += performance.now() - t;
    return r;
  };

const off = process.env.BENCH_INGEST_LOG === 'off';
export const appendIngest: typeof real.appendIngest = off ? async () => undefined : timed(real.appendIngest);
export const appendIngestOn: typeof real.appendIngestOn = off ? () => undefined : timed(real.appendIngestOn);
export const rawEvent = off ? real.rawEvent : timed(real.rawEvent);
export const itemEvent = off ? real.itemEvent : timed(real.itemEvent);
export const entryEvent = off ? real.entryEvent : timed(real.entryEvent);
