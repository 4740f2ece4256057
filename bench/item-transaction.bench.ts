/**
 * Item transaction benchmark: the store's commitProcessed (items, blobs, entries, counters,
 * ingest events, record statuses; one transaction per batch) on the embedded SQLite file and on
 * PostgreSQL (a throw-away local cluster from test/helpers/postgres.ts), on the same batches,
 * interleaved, each repeated; medians. `--baseline DIR` adds the SQLite path of another build
 * (its compiled dist/ directory), so a change to the store is measured against what it replaced
 * in the same run.
 *
 *   npm run build && node --import tsx bench/item-transaction.bench.ts [--records 4000] [--batch 100]
 *     [--rounds 5] [--baseline /path/to/old/dist] [--out item-transaction.json]
 *
 * Reports records per second (wall time: PostgreSQL's includes its round trips to a server on
 * the same machine) and this process's CPU microseconds per record (PostgreSQL's server CPU is
 * not in it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../test/helpers/postgres.js';
import { archived, inlineBlob } from '../test/helpers/processed-batch.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '4000' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    baseline: { type: 'string' },
    out: { type: 'string', default: 'item-transaction.json' },
  },
});
const N = Number(values.records);
const B = Number(values.batch);

/* eslint-disable @typescript-eslint/no-explicit-any -- two builds of the store, loaded by path */
interface StoreBuild {
  openDatabase(o: { file: string } | { url: string }): Promise<any>;
  commitCapture(db: any, c: string, r: unknown[], cursor: string, now: number): Promise<number>;
  listWork(db: any, c: string, o: object): Promise<{ id: number }[]>;
  commitProcessed(db: any, c: string, batch: unknown[], ctx: object): Promise<unknown>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

async function build(dist: string): Promise<StoreBuild> {
  const store = (await import(join(dist, 'store', 'index.js'))) as StoreBuild;
  const db = (await import(join(dist, 'store', 'db.js'))) as Pick<StoreBuild, 'openDatabase'>;
  return { ...store, openDatabase: db.openDatabase };
}

function batchOf(ids: number[], start: number): unknown[] {
  return ids.map((rawId, j) =>
    archived(rawId, start + j, inlineBlob(`message ${start + j} `.repeat(40)), [
      'alice@x.cn',
      `p${(start + j) % 20}@x.cn`,
    ]),
  );
}

/** One measured pass: capture N records (not timed), then commit their outcomes in batches of B. */
async function pass(s: StoreBuild, open: () => Promise<{ db: unknown; close: () => Promise<void> }>) {
  const { db, close } = await open();
  try {
    const recs = Array.from({ length: N }, (_, i) => ({
      seq: String(i + 1),
      msgid: `m${i}`,
      publickey_ver: 1,
      json: JSON.stringify({ i }),
    }));
    await s.commitCapture(db, 'c1', recs, String(N), 1);
    const ids = (await s.listWork(db, 'c1', { afterSeqKey: '', limit: N, maxAttempts: 3 })).map((w) => w.id);
    const batches = [];
    for (let i = 0; i < N; i += B) batches.push(batchOf(ids.slice(i, i + B), i));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batches) await s.commitProcessed(db, 'c1', b, { now: 2, runId: null });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { recordsPerSecond: Math.round((N / ms) * 1000), cpuUsPerRecord: (cpu.user + cpu.system) / N };
  } finally {
    await close();
  }
}

const here = import.meta.dirname;
const current = await build(resolve(here, '..', 'dist'));
const baseline = values.baseline ? await build(resolve(values.baseline)) : undefined;
const pg = await startPostgres();
const tmp = await mkdtemp(join(tmpdir(), 'wxa-bench-item-tx-'));
let n = 0;
const sqliteOpen = (s: StoreBuild) => async () => {
  const db = await s.openDatabase({ file: join(tmp, `archive-${++n}.db`) });
  return { db, close: () => (db as { destroy(): Promise<void> }).destroy() };
};
const variants: [string, () => ReturnType<typeof pass>][] = [
  ['sqlite', () => pass(current, sqliteOpen(current))],
  [
    'postgres',
    () =>
      pass(current, async () => {
        const db = await current.openDatabase({ url: await pg.createDatabase() });
        return { db, close: () => (db as { destroy(): Promise<void> }).destroy() };
      }),
  ],
];
if (baseline) variants.push(['sqlite-baseline', () => pass(baseline, sqliteOpen(baseline))]);

const load = [loadavg()[0]!];
const runs: Record<string, { recordsPerSecond: number; cpuUsPerRecord: number }[]> = {};
try {
  for (let r = 0; r < Number(values.rounds); r++)
    for (const [name, run] of r % 2 ? [...variants].reverse() : variants) {
      const res = await run();
      (runs[name] ??= []).push(res);
      process.stderr.write(
        `round ${r + 1} ${name}: ${res.recordsPerSecond} records/s, ${res.cpuUsPerRecord.toFixed(1)} us CPU/record\n`,
      );
    }
} finally {
  await pg.stop();
  await rm(tmp, { recursive: true, force: true });
}
load.push(loadavg()[0]!);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(
  Object.entries(runs).map(([k, v]) => [
    k,
    {
      recordsPerSecond: median(v.map((x) => x.recordsPerSecond)),
      cpuUsPerRecord: Number(median(v.map((x) => x.cpuUsPerRecord)).toFixed(1)),
      runs: v,
    },
  ]),
);
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    postgres: pg.version,
    loadAverage1m: load,
    note: 'shared with other jobs while measured: absolute rates are noisy, ratios in the same run count',
  },
  records: N,
  batch: B,
  entriesPerRecord: 2,
  summary,
  ratios: {
    postgresToSqliteRate: Number((summary.postgres!.recordsPerSecond / summary.sqlite!.recordsPerSecond).toFixed(2)),
    ...(summary['sqlite-baseline']
      ? {
          sqliteCpuToBaseline: Number(
            (summary.sqlite!.cpuUsPerRecord / summary['sqlite-baseline'].cpuUsPerRecord).toFixed(3),
          ),
        }
      : {}),
  },
};
await writeFile(join(here, 'results', values.out), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
