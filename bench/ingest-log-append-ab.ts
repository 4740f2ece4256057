/**
 * The ingest log's appends now against an earlier version of the code, in the same run: one
 * pipeline run with the log (the compiled code in dist/), then its events appended again in
 * its own transactions into fresh stores, by dist's `appendIngestOn` and by the one of an
 * earlier commit, in alternating rounds (ABBA...), CPU time of this thread. The earlier
 * `src/store/ingest-log.ts` is taken from git (`--base`, default `main`) and loaded beside
 * dist's modules, its relative imports pointed at them. Each side gets the events as its own
 * builders give them: the earlier ones with detail objects, those now also with their text.
 * A load that drifts between rounds favours neither side; the per-round ratio says how much
 * the code itself changed.
 *
 *   npm run build && node --import tsx bench/ingest-log-append-ab.ts [--base main] [--rounds 16]
 *
 * Writes bench/results/ingest-log-append-ab.json.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { generateTenant } from '../dist/sources/sandbox/index.js';
import { appendIngestOn, openStore, transact } from '../dist/store/index.js';
import { freshRun } from './fresh-run.js';
import { groupByTransaction } from './ingest-log-groups.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    base: { type: 'string', default: 'main' },
  },
});
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenant = join(tmp, `ingest-tenant-${values.messages}`);
const dist = join(here, '..', 'dist', 'store');

/** The earlier ingest-log module, its relative imports pointed at dist's compiled modules. */
async function earlierAppend(rev: string): Promise<typeof appendIngestOn> {
  const { stdout: commit } = await promisify(execFile)('git', ['rev-parse', '--short', rev], { cwd: here });
  const { stdout } = await promisify(execFile)('git', ['show', `${rev}:src/store/ingest-log.ts`], {
    cwd: here,
    maxBuffer: 1 << 24,
  });
  const source = stdout.replace(
    /from '\.\/([\w-]+)\.js'/g,
    (_, m: string) => `from '${pathToFileURL(join(dist, m))}.js'`,
  );
  // Inside bench/ (loaded from elsewhere, the TypeScript loader gives dist's modules a second
  // instance), and removed once imported, so that the type checker, which reads bench/, never
  // meets it between runs.
  const dir = await mkdtemp(join(tmp, 'ingest-log-earlier-'));
  const file = join(dir, `ingest-log-${commit.trim()}.ts`);
  await writeFile(file, source);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { appendIngestOn: typeof appendIngestOn };
    return mod.appendIngestOn;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
const r3 = (v: number) => Number(v.toFixed(3));

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenant, 'tenant.json')))
    await generateTenant({ outDir: tenant, seed: 13, messages: Number(values.messages) });
  const before = await earlierAppend(values.base!);
  const load = [loadavg()[0]!];
  const { store, run } = await freshRun(tenant, join(tmp, 'ingest-ab-run'), Number(values.workers), 'dist');
  await run();
  const rows = await store.db.selectFrom('ingest_log').selectAll().orderBy('id').execute();
  await store.close();

  // The run's transactions; each version gets the events as its builders make them: bare before, built now.
  const groups = groupByTransaction(rows);

  const dir = join(tmp, 'ingest-ab-log');
  const sides = { earlier: [] as number[], now: [] as number[] };
  const heads: Record<string, string> = {};
  const rounds = Number(values.rounds);
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? (['now', 'earlier'] as const) : (['earlier', 'now'] as const)) {
      await rm(dir, { recursive: true, force: true });
      const target = await openStore(dir);
      const append = side === 'now' ? appendIngestOn : before;
      const c = cpuMs();
      for (const g of groups)
        await transact(target.db, async () => append(target.db, side === 'now' ? g.built : g.bare, g.at));
      sides[side].push(cpuMs() - c);
      const head = await target.db.selectFrom('ingest_head').select('hash').executeTakeFirstOrThrow();
      heads[side] = head.hash;
      await target.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
  // Both versions must have written the same chain, or the comparison says nothing.
  if (heads.earlier !== heads.now) throw new Error(`the two versions' chains differ: ${heads.earlier} ${heads.now}`);
  load.push(loadavg()[0]!);
  const ratios = sides.now.map((c, i) => c / sides.earlier[i]!);
  const result = {
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}, shared with other jobs (noisy)`,
    loadAverage1m: { before: r3(load[0]!), after: r3(load[1]!) },
    node: process.version,
    base: values.base,
    events: rows.length,
    transactions: groups.length,
    rounds,
    order: 'ABBA: earlier, now; then now, earlier; ...',
    /** CPU ms of this thread to append the run's events in its transactions, with their commits: median of the rounds */
    earlierCpuMs: r3(median(sides.earlier)),
    nowCpuMs: r3(median(sides.now)),
    /** now / earlier within each round */
    ratio: { median: r3(median(ratios)), min: r3(Math.min(...ratios)), max: r3(Math.max(...ratios)) },
    chainHead: heads.now,
    rawCpuMs: { earlier: sides.earlier.map(r3), now: sides.now.map(r3) },
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'ingest-log-append-ab.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
