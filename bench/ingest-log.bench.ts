/**
 * What the ingest log costs the pipeline: the same sandbox tenant archived by the compiled code
 * (dist/) with the log and without it (bench/without-ingest-log.mjs swaps the log module for a
 * stub whose appends and digests do nothing, and the prepare threads compute no model hashes,
 * which only the items' digests use), each run in a fresh process and data directory.
 * Runs on a shared machine differ by more than the log costs, so runs come in pairs, one with
 * and one without, their order alternating (ABBA...) to cancel drift in the machine's load; the
 * cost is computed within each pair and the median and spread over the pairs reported, for
 * throughput (wall clock) and for CPU time (all threads, and the main thread where commits and
 * the log's appends are serial), which the machine's other jobs disturb much less. With each
 * median comes its 95% confidence interval (distribution-free: order statistics of the pairs),
 * so that a target is called shown only when the interval's upper end is within it. The load
 * average is recorded at every run, since on a shared machine it says how far to trust them.
 *
 *   npm run build && node --import tsx bench/ingest-log.bench.ts [--messages 4000] [--pairs 20] [--workers 2]
 *     [--until 2026-12-03T19:20:00Z] [--out ingest-log.json]
 *
 * `--until` stops starting pairs at that time (after an even number, so that each order runs
 * as often), whatever `--pairs` says: on a shared machine, as many pairs as the quiet spell holds.
 * Writes bench/results/ingest-log.json (or `--out`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { generateTenant } from '../dist/sources/sandbox/index.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    pairs: { type: 'string', default: '20' },
    target: { type: 'string', default: '0.05' },
    workers: { type: 'string', default: '2' },
    until: { type: 'string' },
    out: { type: 'string', default: 'ingest-log.json' },
  },
});
const until = values.until ? Date.parse(values.until) : Infinity;
if (Number.isNaN(until)) throw new Error(`--until ${values.until}: not a date and time (e.g. 2026-12-03T19:20:00Z)`);
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenant = join(tmp, `ingest-tenant-${values.messages}`);

interface Run {
  ms: number;
  archived: number;
  ingestEvents: number;
  cpuMs: number;
  mainCpuMs: number;
}

async function once(withLog: boolean): Promise<Run> {
  const args = [
    '--import',
    'tsx',
    join(here, 'ingest-log-run.ts'),
    '--tenant',
    tenant,
    '--data',
    join(tmp, 'ingest-data'),
  ];
  args.push('--workers', values.workers!);
  // The stubs are loaded through NODE_OPTIONS so that the prepare threads get them too (they are
  // started with no execArgv of their own); the runs with the log load a module doing nothing
  // the same way, so that both sides load as much.
  const options = process.env.NODE_OPTIONS ?? '';
  const preload = join(here, withLog ? 'with-ingest-log.mjs' : 'without-ingest-log.mjs');
  const env = { ...process.env, NODE_OPTIONS: `${options} --import ${JSON.stringify(preload)}`.trim() };
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24, env });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Run;
}

const median = (x: number[]) => {
  const s = [...x].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (v: number) => Number(v.toFixed(3));
/**
 * The ranks (1-based) bounding a distribution-free confidence interval of the median of n
 * values: [x(k), x(n+1-k)] with k the largest rank for which P(Binomial(n, 1/2) < k) <= alpha/2.
 */
function medianInterval(n: number, alpha = 0.05): [number, number] | null {
  let k = 0;
  let below = 0; // P(B < k+1) accumulated
  let term = 0.5 ** n; // P(B = 0)
  for (let j = 0; j < n; j++) {
    below += term;
    if (below > alpha / 2) break;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  return k >= 1 ? [k, n + 1 - k] : null;
}

/** median, its 95% interval, min, max and the middle half of the costs over the pairs */
function spread(costs: number[]) {
  const s = [...costs].sort((p, q) => p - q);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(f * (s.length - 1))))]!;
  const ci = medianInterval(s.length);
  return {
    median: r3(median(s)),
    ci95: ci ? ([r3(s[ci[0] - 1]!), r3(s[ci[1] - 1]!)] as [number, number]) : null,
    min: r3(s[0]!),
    max: r3(s[s.length - 1]!),
    q1: r3(q(0.25)),
    q3: r3(q(0.75)),
  };
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenant, 'tenant.json')))
    await generateTenant({ outDir: tenant, seed: 13, messages: Number(values.messages) });
  const loadBefore = loadavg();
  const started = new Date().toISOString();
  const pairs: { withLog: Run; without: Run; load1m: number }[] = [];
  let events = 0;
  for (let p = 0; p < Number(values.pairs); p++) {
    if (p % 2 === 0 && Date.now() >= until) break;
    // ABBA: a drifting load favours neither side.
    const first = p % 2 === 0;
    const a = await once(first);
    const b = await once(!first);
    const [withLog, without] = first ? [a, b] : [b, a];
    if (without.ingestEvents !== 0) throw new Error('the stub did not take effect: events were logged');
    if (withLog.archived !== without.archived)
      throw new Error(
        'the two runs archived different counts (a run without the log archives nothing if its prepare threads still hashed their models: see bench/ingest-log-stub.ts)',
      );
    events = withLog.ingestEvents;
    const load1m = r3(loadavg()[0]!);
    pairs.push({ withLog, without, load1m });
    console.error(
      `pair ${p + 1}: with ${withLog.ms} ms (cpu ${withLog.cpuMs}), without ${without.ms} ms (cpu ${without.cpuMs}), load ${load1m}`,
    );
  }
  const loadAfter = loadavg();
  const throughput = (r: Run) => r.archived / (r.ms / 1000);
  const throughputCost = spread(pairs.map((p) => 1 - throughput(p.withLog) / throughput(p.without)));
  const cpuCost = spread(pairs.map((p) => p.withLog.cpuMs / p.without.cpuMs - 1));
  const target = Number(values.target);
  const verdict = (c: ReturnType<typeof spread>) =>
    !c.ci95
      ? 'too few pairs'
      : c.ci95[1] <= target
        ? 'shown'
        : c.median <= target
          ? 'median within, not shown'
          : 'not reached';
  const sum = (f: (p: (typeof pairs)[number]) => number) => pairs.reduce((t, p) => t + f(p), 0);
  const summed = (k: 'ms' | 'cpuMs' | 'mainCpuMs') => r3(sum((p) => p.withLog[k]) / sum((p) => p.without[k]) - 1);
  const result = {
    started,
    finished: new Date().toISOString(),
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}, shared with other jobs (noisy)`,
    loadAverage: { before: loadBefore.map((v) => r3(v)), after: loadAfter.map((v) => r3(v)) },
    node: process.version,
    code: 'dist (compiled)',
    messages: Number(values.messages),
    workers: Number(values.workers),
    ingestEventsPerRun: events,
    pairs: pairs.length,
    order: 'ABBA: with, without; then without, with; ...',
    loadAverage1mPerPair: pairs.map((p) => p.load1m),
    target,
    /** shown: the 95% interval of the median cost lies within the target */
    verdict: { throughput: verdict(throughputCost), cpu: verdict(cpuCost) },
    /** 1 - (messages/s with the log) / (messages/s without), per pair */
    throughputCost,
    /** CPU with / CPU without - 1, per pair: every thread of the process */
    cpuCost,
    /** the same for the main thread alone */
    mainThreadCpuCost: spread(pairs.map((p) => p.withLog.mainCpuMs / p.without.mainCpuMs - 1)),
    /** over all pairs together: (sum with) / (sum without) - 1 of wall time, CPU of all threads, main thread */
    summed: { wallMs: summed('ms'), cpuMs: summed('cpuMs'), mainCpuMs: summed('mainCpuMs') },
    runs: pairs.map((p) => ({
      with: {
        msgPerS: Number(throughput(p.withLog).toFixed(1)),
        cpuMs: p.withLog.cpuMs,
        mainCpuMs: p.withLog.mainCpuMs,
      },
      without: {
        msgPerS: Number(throughput(p.without).toFixed(1)),
        cpuMs: p.without.cpuMs,
        mainCpuMs: p.without.mainCpuMs,
      },
      load1m: p.load1m,
    })),
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', values.out!), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
