// The measured export of bench/export.bench.ts, in a process of its own (its own peak RSS). It
// runs the compiled code (dist/), as `npm start` and the CLI do, so no TypeScript loader and its
// thread are counted in the export's memory or time; and, as the installed command does first
// thing, it sets glibc's malloc, V8's collector and the trimming after full collections
// (src/cli/malloc-defaults.ts, gc-defaults.ts, malloc-trim.ts), and as the export command does,
// lets the young generation grow again and pads glibc's heap top, when the build has them. Prints one JSON line. With `--sample-ms N`
// it also reports the process's memory every N ms and the export's phase at that moment (with
// `--expose-gc`, after a full collection: the live heap, not what V8 has yet to collect).
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    'case-id': { type: 'string' },
    'set-id': { type: 'string' },
    'sample-ms': { type: 'string' },
    /** the compiled code to run (default ../dist): an earlier build, to compare in the same run */
    dist: { type: 'string' },
    /** EML: the export's writing threads (absent: the export's default) */
    threads: { type: 'string' },
  },
});
const dist = pathToFileURL(resolve(values.dist ?? join(import.meta.dirname, '..', 'dist'))).href;
const distDir = resolve(values.dist ?? join(import.meta.dirname, '..', 'dist'));
if (existsSync(join(distDir, 'cli', 'malloc-trim.js'))) {
  const malloc = await import(`${dist}/cli/malloc-defaults.js`);
  const gc = await import(`${dist}/cli/gc-defaults.js`);
  const { trimAfterFullCollections } = await import(`${dist}/cli/malloc-trim.js`);
  await malloc.applyMallocDefaults();
  gc.applyGcDefaults();
  // and as the export command does (src/cli/commands/export.ts), when the build has them
  const command = await import(`${dist}/cli/commands/export.js`);
  if (command.tuneForExport) await command.tuneForExport();
  else {
    gc.releaseYoungGeneration?.();
    await malloc.padMallocTop?.();
  }
  await trimAfterFullCollections();
}
const { runExport } = await import(`${dist}/compliance/export/index.js`);
const { openStore } = await import(`${dist}/store/index.js`);
const MB = 1024 * 1024;
const samples = [];
let phase = 'start';
let done = 0;
const t0 = performance.now();
const sample = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  samples.push({
    at: Math.round(performance.now() - t0),
    phase,
    done,
    rssMb: +(m.rss / MB).toFixed(1),
    heapUsedMb: +(m.heapUsed / MB).toFixed(1),
    heapTotalMb: +(m.heapTotal / MB).toFixed(1),
    externalMb: +(m.external / MB).toFixed(1),
    arrayBuffersMb: +(m.arrayBuffers / MB).toFixed(1),
  });
};
const timer = values['sample-ms'] ? setInterval(sample, Number(values['sample-ms'])) : undefined;
function peakRssKb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no /proc: getrusage below
  }
  return process.resourceUsage().maxRSS;
}
const store = await openStore(values.data);
const res = await runExport(store, {
  format: values.format,
  outDir: values.out,
  actor: 'bench',
  caseId: Number(values['case-id']),
  reviewSetId: Number(values['set-id']),
  ...(values.threads !== undefined ? { threads: Number(values.threads) } : {}),
  onProgress: (p) => {
    phase = p.phase;
    done = p.done;
  },
});
const seconds = (performance.now() - t0) / 1000;
if (timer) {
  clearInterval(timer);
  sample();
}
await store.close();
process.stdout.write(
  JSON.stringify({
    seconds,
    counts: res.counts,
    // This process's own peak: VmHWM belongs to the address space made at exec, while getrusage's
    // maxRSS also keeps the high-water mark of the forked copy of the parent (the bench process,
    // which can be larger than the export), so it is only used where /proc is missing.
    maxRssMb: peakRssKb() / 1024,
    maxRssGetrusageMb: process.resourceUsage().maxRSS / 1024,
    // CPU of every thread of the process (user, kernel), in seconds
    cpu: { user: process.resourceUsage().userCPUTime / 1e6, system: process.resourceUsage().systemCPUTime / 1e6 },
    ...(timer ? { samples } : {}),
  }) + '\n',
);
