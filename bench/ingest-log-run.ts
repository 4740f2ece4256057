/** One pipeline run for bench/ingest-log.bench.ts: prints {ms, archived, ingestEvents} as JSON. */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { runConnector } from '../src/pipeline/index.js';
import { ingestHead, openStore } from '../src/store/index.js';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, data: { type: 'string' }, workers: { type: 'string', default: '2' } },
});
const dataDir = values.data!;
await rm(dataDir, { recursive: true, force: true });
const workers = Number(values.workers);
const cfg = parseConfig(
  { dataDir, workers, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: values.tenant! } }] },
  'bench',
  dataDir,
);
const store = await openStore(dataDir);
const t = performance.now();
const report = await runConnector(store, cfg.connectors[0]!, { workers });
const ms = performance.now() - t;
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
