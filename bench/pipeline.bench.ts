/**
 * Pipeline benchmark: sandbox messages (media in the sandbox's proportion) through the whole
 * pipeline (capture, decrypt, parse, map, render, archive) into the embedded archive. Reports
 * messages per second, peak memory, and the ratio to the bare RSA-2048 private-decrypt rate on
 * all cores measured in the same run (every message costs one such decrypt: the ceiling).
 *
 *   npm run build && node --import tsx bench/pipeline.bench.ts [--messages 100000] [--workers N]
 *
 * It runs the compiled code (dist/), as `npm start` does, so worker threads carry no TypeScript loader.
 *
 * Writes bench/results/pipeline.json and prints a summary.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../dist/config/index.js';
import { runConnector } from '../dist/pipeline/index.js';
import { generateTenant, readTenant } from '../dist/sources/sandbox/index.js';
import { openStore } from '../dist/store/index.js';
import { measureRsaCeiling } from './rsa-ceiling.js';
import { rsaCpuMsPerOp, threadCpu } from './thread-cpu.js';
import { SOURCES } from '../dist/sources/index.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seed: { type: 'string', default: '7' },
  },
});
const messages = Number(values.messages);
const workers = Number(values.workers);
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenantDir = join(tmp, `tenant-${values.seed}-${messages}`);
const dataDir = join(tmp, 'data');

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenantDir, 'tenant.json'))) {
    console.error(`generating ${messages} sandbox messages in ${tenantDir} ...`);
    await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages });
  }
  const tenant = await readTenant(tenantDir);
  const mediaMessages = Object.entries(tenant.counts.byType)
    .filter(([t]) => ['image', 'voice', 'video', 'file', 'emotion', 'meeting_voice_call', 'voip_doc_share'].includes(t))
    .reduce((a, [, n]) => a + n, 0);
  await rm(dataDir, { recursive: true, force: true });

  const before = await measureRsaCeiling(5);
  const rsaCpuMs = rsaCpuMsPerOp();
  console.error(`RSA-2048 private decrypt, ${before.threads} threads: ${before.opsPerSecond.toFixed(0)} ops/s`);

  const cfg = parseConfig(
    { dataDir, workers, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenantDir } }] },
    'bench',
    here,
  );
  const store = await openStore(cfg.dataDir);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const idleRss = process.memoryUsage().rss;
  const cpuBefore = threadCpu();
  const started = performance.now();
  const report = await runConnector(store, cfg.connectors[0]!, { workers, sources: SOURCES, batchSize: 512 });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = threadCpu();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await store.close();

  const after = await measureRsaCeiling(5);
  const ceiling = (before.opsPerSecond + after.opsPerSecond) / 2;
  const rate = report.fetched / seconds;
  // The CPU the run needed per message, on every thread, against the CPU one RSA decrypt needs
  // (CPU time, not a rate, so the machine's other jobs change neither much): were every core
  // busy all the run with nothing but this pipeline, the ratio to the ceiling could not exceed
  // rsa / total. That is the bound this code has on any machine of this kind, loaded or not.
  const cpuMs = cpuBefore && cpuAfter ? (1000 * (cpuAfter.all - cpuBefore.all)) / report.fetched : undefined;
  const cpu =
    cpuBefore && cpuAfter && cpuMs !== undefined && rsaCpuMs !== undefined
      ? {
          totalMsPerMessage: round(cpuMs, 3),
          mainThreadMsPerMessage: round((1000 * (cpuAfter.main - cpuBefore.main)) / report.fetched, 3),
          rsaMsPerDecrypt: round(rsaCpuMs, 3),
          ratioBoundByCpu: round(rsaCpuMs / cpuMs, 3),
          coresUsedOnAverage: round((cpuAfter.all - cpuBefore.all) / seconds, 2),
        }
      : undefined;
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      node: process.version,
      loadAverage: loadavg().map((l) => round(l, 2)),
      note: 'shared with other jobs while measured: absolute rates are noisy, ratios in the same run count',
    },
    messages: report.fetched,
    mediaMessages,
    workers,
    seconds: round(seconds),
    messagesPerSecond: round(rate),
    archived: report.archived,
    held: report.heldTotal,
    failed: report.failed,
    deliveries: report.deliveries,
    mediaBytes: report.media.bytes,
    peakRssMB: round(peakRss / 2 ** 20),
    idleRssMB: round(idleRss / 2 ** 20),
    rsaCeiling: { before: round(before.opsPerSecond), after: round(after.opsPerSecond), mean: round(ceiling) },
    ratioToRsaCeiling: round(rate / ceiling, 3),
    ...(cpu ? { cpu } : {}),
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'pipeline.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

await main();
