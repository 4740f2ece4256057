/**
 * Pipeline benchmark: sandbox messages (media in the sandbox's proportion) through the whole
 * pipeline (capture, decrypt, parse, map, render, archive) into the embedded archive. Reports
 * messages per second, the archiver's peak memory, and the ratio to the bare RSA-2048
 * private-decrypt rate on all cores measured in the same run (every message costs one such
 * decrypt: the ceiling).
 *
 *   npm run build && node --import tsx bench/pipeline.bench.ts [--messages 100000] [--workers N]
 *     [--variant 'name=[path/to/bin.js] [--node-option ...] [ENV=value ...] [workers=N]' ...] [--rounds 1]
 *     [--out pipeline.json]
 *
 * The archiver runs as a user runs it: the installed command (`bin/wechat-archiver.js run --once
 * --sandbox DIR --json`, compiled dist/, no TypeScript loader) in its own process, which this
 * one watches through /proc. The tenant (standing for Tencent's servers) is generated here and
 * read by the archiver from its files, so neither the generator nor this process is counted.
 * Variants (another build, Node flags, environment) run alternately in the same run, so their
 * differences are not the machine's load changing between runs.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTenant, readTenant } from '../dist/sources/sandbox/index.js';
import { defaultPrepareThreads } from '../dist/pipeline/worker-pool.js';
import { watchProc, type ProcSample } from './proc-sample.js';
import { measureRsaCeiling } from './rsa-ceiling.js';
import { rsaCpuMsPerOp } from './thread-cpu.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    // Unset: the archiver's own default (defaultPrepareThreads), as a user runs it.
    workers: { type: 'string' },
    seed: { type: 'string', default: '7' },
    variant: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string', default: 'pipeline.json' },
  },
});
const messages = Number(values.messages);
const workers = values.workers === undefined ? undefined : Number(values.workers);
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenantDir = join(tmp, `tenant-${values.seed}-${messages}`);
// One data directory per results file, so two benchmarks can run at once without sharing one.
const dataDir = join(tmp, `data-${values.out.replace(/\.json$/, '')}`);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Variant {
  name: string;
  bin: string;
  nodeOptions: string[];
  env: Record<string, string>;
  /** prepare threads of this variant (`workers=N`), else --workers, else the archiver's default */
  workers: number | undefined;
}

/** `name=[bin.js] [--node-flag ...] [ENV=value ...] [workers=N]`; the default is the current build as is. */
function parseVariant(spec: string): Variant {
  const eq = spec.indexOf('=');
  const v: Variant = {
    name: spec.slice(0, eq),
    bin: join(here, '..', 'bin', 'wechat-archiver.js'),
    nodeOptions: [],
    env: {},
    workers,
  };
  for (const token of spec
    .slice(eq + 1)
    .split(/\s+/)
    .filter(Boolean)) {
    if (token.startsWith('--')) v.nodeOptions.push(token);
    else if (token.endsWith('.js')) v.bin = token;
    else if (/^workers=\d+$/.test(token)) v.workers = Number(token.slice('workers='.length));
    else if (/^[A-Z_][A-Z0-9_]*=/.test(token))
      v.env[token.slice(0, token.indexOf('='))] = token.slice(token.indexOf('=') + 1);
    else
      throw new Error(`--variant ${spec}: ${token} is neither a node option, a bin .js file, ENV=value nor workers=N`);
  }
  if (eq <= 0) throw new Error(`--variant ${spec}: expected name=...`);
  return v;
}

interface RunResult {
  variant: string;
  seconds: number;
  messagesPerSecond: number;
  archived: number;
  held: number;
  failed: number;
  deliveries: number;
  mediaFetched: number;
  mediaBytes: number;
  /** the kernel's high-water mark of the archiver process's RSS */
  peakRssMB: number;
  /** the sample with the largest RSS, with what it was made of */
  atPeak: ProcSample;
  medianRssMB: number;
  /** the process's whole life (start-up, migrations, run, checkpoint) */
  processSeconds: number;
  cpuSecondsAll: number;
  cpuSecondsMain: number;
  loadAverage1m: [number, number];
}

async function runOnce(v: Variant): Promise<RunResult> {
  await rm(dataDir, { recursive: true, force: true });
  const load0 = loadavg()[0]!;
  const args = [...v.nodeOptions, v.bin, 'run', '--once', '--sandbox', tenantDir, '--data-dir', dataDir];
  const threads = v.workers === undefined ? [] : ['--workers', String(v.workers)];
  const child = spawn(process.execPath, [...args, ...threads, '--json'], {
    env: { ...process.env, NODE_OPTIONS: '', ...v.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchProc(child.pid!);
  const started = performance.now();
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.pipe(createWriteStream(join(tmp, `${values.out}-${v.name}.log`)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  watch.stop();
  const processSeconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(`${v.name}: the archiver exited with ${code}; see bench/tmp/${values.out}-${v.name}.log`);
  const report = JSON.parse(stdout) as {
    fetched: number;
    archived: number;
    heldTotal: number;
    failed: number;
    deliveries: number;
    durationMs: number;
    media: { fetched: number; bytes: number };
  };
  const samples = watch.samples;
  await writeFile(join(tmp, `${values.out}-${v.name}-samples.json`), JSON.stringify(samples));
  const last = samples[samples.length - 1]!;
  const atPeak = samples.reduce((a, b) => (b.rssMB > a.rssMB ? b : a));
  const sorted = samples.map((s) => s.rssMB).sort((a, b) => a - b);
  const seconds = report.durationMs / 1000;
  return {
    variant: v.name,
    seconds: round(seconds),
    messagesPerSecond: round(report.fetched / seconds),
    archived: report.archived,
    held: report.heldTotal,
    failed: report.failed,
    deliveries: report.deliveries,
    mediaFetched: report.media.fetched,
    mediaBytes: report.media.bytes,
    peakRssMB: round(last.hwmMB),
    atPeak: {
      ...atPeak,
      rssMB: round(atPeak.rssMB),
      anonMB: round(atPeak.anonMB),
      fileMB: round(atPeak.fileMB),
      shmemMB: round(atPeak.shmemMB),
    },
    medianRssMB: round(sorted[Math.floor(sorted.length / 2)]!),
    processSeconds: round(processSeconds),
    cpuSecondsAll: round(last.cpuAll, 2),
    cpuSecondsMain: round(last.cpuMain, 2),
    loadAverage1m: [round(load0, 2), round(loadavg()[0]!, 2)],
  };
}

async function main(): Promise<void> {
  const variants = (values.variant ?? ['ours=']).map(parseVariant);
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenantDir, 'tenant.json'))) {
    log(`generating ${messages} sandbox messages in ${tenantDir} ...`);
    await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages });
  }
  const tenant = await readTenant(tenantDir);
  const mediaMessages = Object.entries(tenant.counts.byType)
    .filter(([t]) => ['image', 'voice', 'video', 'file', 'emotion', 'meeting_voice_call', 'voip_doc_share'].includes(t))
    .reduce((a, [, n]) => a + n, 0);

  const before = await measureRsaCeiling(5);
  const rsaCpuMs = rsaCpuMsPerOp();
  log(`RSA-2048 private decrypt, ${before.threads} threads: ${before.opsPerSecond.toFixed(0)} ops/s`);
  const runs: RunResult[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    // Rotated each round, so no variant always runs first (on a cold page cache) or last.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      log(`round ${round + 1}, ${v.name} ...`);
      const r = await runOnce(v);
      log(`  ${r.messagesPerSecond} msg/s, peak RSS ${r.peakRssMB} MB (load ${r.loadAverage1m.join(' -> ')})`);
      runs.push(r);
    }
  }
  const after = await measureRsaCeiling(5);
  const ceiling = (before.opsPerSecond + after.opsPerSecond) / 2;

  const summary = variants.map((v) => {
    const mine = runs.filter((r) => r.variant === v.name);
    const rate = median(mine.map((r) => r.messagesPerSecond));
    const cpuAll = median(mine.map((r) => r.cpuSecondsAll));
    const cpuMain = median(mine.map((r) => r.cpuSecondsMain));
    // The CPU the archiver needed per message on all its threads, against the CPU of one RSA
    // decrypt: CPU time, which the machine's other jobs change far less than a rate. With every
    // core its own the ratio to the ceiling could not exceed rsa / total.
    const totalMs = (1000 * cpuAll) / messages;
    return {
      variant: v.name,
      bin: relative(join(here, '..'), v.bin),
      nodeOptions: v.nodeOptions,
      env: v.env,
      workers: v.workers ?? `default: ${defaultPrepareThreads()}`,
      messagesPerSecond: rate,
      ratioToRsaCeiling: round(rate / ceiling, 3),
      peakRssMB: median(mine.map((r) => r.peakRssMB)),
      medianRssMB: median(mine.map((r) => r.medianRssMB)),
      cpu: {
        totalMsPerMessage: round(totalMs, 3),
        mainThreadMsPerMessage: round((1000 * cpuMain) / messages, 3),
        ...(rsaCpuMs !== undefined
          ? { rsaMsPerDecrypt: round(rsaCpuMs, 3), ratioBoundByCpu: round(rsaCpuMs / totalMs, 3) }
          : {}),
      },
    };
  });
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      node: process.version,
      loadAverage: loadavg().map((l) => round(l, 2)),
      note: 'shared with other jobs while measured: absolute rates are noisy, ratios in the same run count',
    },
    measured:
      'the archiver process (bin/wechat-archiver.js run --once, compiled) alone: peak RSS is its VmHWM; CPU covers its whole life',
    messages,
    mediaMessages,
    workers: workers ?? `default: ${defaultPrepareThreads()}`,
    rsaCeiling: { before: round(before.opsPerSecond), after: round(after.opsPerSecond), mean: round(ceiling) },
    variants: summary,
    runs,
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', values.out), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return round(s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2);
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

await main();
