/**
 * One pipeline run for bench/ingest-log.bench.ts, on the compiled code (dist/): prints
 * {ms, archived, ingestEvents, cpuMs, mainCpuMs} as JSON. CPU is the process's (every thread:
 * main, prepare threads, V8's helpers) and the main thread's alone, over the timed run only.
 */
import { parseArgs } from 'node:util';
import { ingestHead } from '../dist/store/index.js';
import { freshRun } from './fresh-run.js';
import { threadCpu } from './thread-cpu.js';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, data: { type: 'string' }, workers: { type: 'string', default: '2' } },
});
const { store, run } = await freshRun(values.tenant!, values.data!, Number(values.workers), 'dist');
const before = threadCpu();
const { report, ms } = await run();
const after = threadCpu();
const head = await ingestHead(store.db as never);
await store.close();
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    archived: report.archived,
    ingestEvents: head.events,
    cpuMs: before && after ? Math.round(1000 * (after.all - before.all)) : null,
    mainCpuMs: before && after ? Math.round(1000 * (after.main - before.main)) : null,
  }),
);
