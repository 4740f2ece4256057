// The measured export of bench/export.bench.ts, in a process of its own (its own peak RSS). It
// runs the compiled code (dist/), as `npm start` and the CLI do, so no TypeScript loader and its
// thread are counted in the export's memory or time. Prints one JSON line.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runExport } from '../dist/compliance/export/index.js';
import { openStore } from '../dist/store/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    'case-id': { type: 'string' },
    'set-id': { type: 'string' },
  },
});
const store = await openStore(values.data);
const t0 = performance.now();
const res = await runExport(store, {
  format: values.format,
  outDir: values.out,
  actor: 'bench',
  caseId: Number(values['case-id']),
  reviewSetId: Number(values['set-id']),
});
const seconds = (performance.now() - t0) / 1000;
await store.close();
process.stdout.write(
  JSON.stringify({ seconds, counts: res.counts, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
