/** One pipeline run for bench/ingest-log.bench.ts: prints {ms, archived, ingestEvents} as JSON. */
import { parseArgs } from 'node:util';
import { ingestHead } from '../src/store/index.js';
import { freshRun } from './fresh-run.js';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, data: { type: 'string' }, workers: { type: 'string', default: '2' } },
});
const { store, run } = await freshRun(values.tenant!, values.data!, Number(values.workers));
const { report, ms } = await run();
const head = await ingestHead(store.db);
await store.close();
const logMs = (globalThis as { ingestLogMs?: number }).ingestLogMs;
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    archived: report.archived,
    ingestEvents: head.events,
    logMs: logMs === undefined ? null : Math.round(logMs),
  }),
);
