/**
 * Search benchmark: an index of N (default 1,000,000) mixed Chinese/English messages built
 * through the production SearchIndex, then query latency (p50/p95) per query class through
 * searchArchive (total + first page of 50, newest first, with snippets), against a brute-force
 * LIKE scan of the same texts in the same database in the same run (the baseline).
 *
 *   node --import tsx bench/search.bench.ts [--messages 1000000] [--samples 40] [--baseline-samples 5]
 *     [--database postgres://USER@HOST:PORT/DB] [--out search.json]
 *
 * With --database the index is built in that (empty) PostgreSQL database and the LIKE baseline
 * table sits beside it there; the default writes bench/results/search-postgres.json then.
 * Writes bench/results/search.json (or --out) and prints a summary. Targets: p95 < 50 ms for every class
 * at 1,000,000 messages, build >= 5,000 messages/s. The build time includes the compaction that
 * follows a bulk load (SearchIndex.compact), as a `reindex` runs it.
 *
 * Each query is timed by the wall clock and by the process's CPU time: on a shared machine the
 * wall clock also counts the time spent waiting for a core, the CPU time is the work itself.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  embeddedSearchIndex,
  normalizeText,
  searchArchive,
  type SearchDocument,
} from '../src/compliance/search/index.js';
import { openStore } from '../src/store/index.js';
import { prng as rng } from './prng.js';
import { documentAt, people } from './search-corpus.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '40' },
    'baseline-samples': { type: 'string', default: '5' },
    batch: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '11' },
    database: { type: 'string' },
    out: { type: 'string' },
  },
});
const DATABASE = values.database;
const OUT = values.out ?? (DATABASE ? 'search-postgres.json' : 'search.json');
const N = Number(values.messages);
const SAMPLES = Number(values.samples);
const BASE_SAMPLES = Number(values['baseline-samples']);
const BATCH = Number(values.batch);
const SEED = Number(values.seed);
const here = import.meta.dirname;
const dataDir = join(here, 'tmp', 'search-data');
const START = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

/** Everything a hit can be found by, as one text, for the LIKE baseline. */
function likeText(d: SearchDocument): string {
  const p = [d.from, ...d.to].flatMap((x) => [x.name, x.id, x.mobile, x.email, x.mailbox]);
  return normalizeText([...d.texts, ...p, d.conversation.name].filter(Boolean).join('\n'));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

function stats(ms: number[]): { p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50: r(pct(s, 0.5)), p95: r(pct(s, 0.95)), max: r(s[s.length - 1]!) };
}

const CJK_RUN = /[\p{Script=Han}]+/gu;
const WORD = /[a-z]{3,}/g;

/** The LIKE baseline's table, in the same database as the index. */
interface Baseline {
  insert(rows: [number, string, number, string][]): Promise<void>;
  /** ids matching `where` (with `?` placeholders), newest first */
  ids(where: string, params: unknown[]): Promise<unknown[]>;
  /** bytes of the index's tables and of the baseline table */
  sizes(): Promise<{ fts: number; search: number; like: number }>;
  /** the server's version and the settings that decide its speed (PostgreSQL) */
  server(): Promise<Record<string, string> | undefined>;
  close(): Promise<void>;
}

function sqliteBaseline(file: string): Baseline {
  const raw = new Database(file);
  raw.pragma('busy_timeout = 10000');
  raw.exec(
    'CREATE TABLE bench_like (id INTEGER PRIMARY KEY, from_id TEXT NOT NULL, msg_time INTEGER NOT NULL, text TEXT NOT NULL)',
  );
  const insertLike = raw.prepare('INSERT INTO bench_like (id, from_id, msg_time, text) VALUES (?, ?, ?, ?)');
  return {
    insert: async (rows) => {
      raw.transaction(() => rows.forEach((x) => insertLike.run(...x)))();
    },
    ids: async (where, params) =>
      raw.prepare(`SELECT id FROM bench_like WHERE ${where} ORDER BY id DESC`).all(...params),
    sizes: async () => {
      const sizes = raw.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
        name: string;
        bytes: number;
      }[];
      const sizeOf = (pred: (n: string) => boolean) =>
        sizes.filter((x) => pred(x.name)).reduce((a, x) => a + x.bytes, 0);
      return {
        fts: sizeOf((n) => n.startsWith('search_fts')),
        search: sizeOf((n) => n.startsWith('search_') || n.includes('search_items')),
        like: sizeOf((n) => n === 'bench_like'),
      };
    },
    server: async () => undefined,
    close: async () => {
      raw.close();
    },
  };
}

async function postgresBaseline(url: string): Promise<Baseline> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(
    'CREATE TABLE bench_like (id bigint PRIMARY KEY, from_id text NOT NULL, msg_time bigint NOT NULL, text text NOT NULL)',
  );
  const numbered = (where: string) => {
    let n = 0;
    return where.replace(/\?/g, () => `$${++n}`);
  };
  return {
    insert: async (rows) => {
      await pool.query(
        'INSERT INTO bench_like SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[])',
        [0, 1, 2, 3].map((k) => rows.map((x) => x[k])),
      );
    },
    ids: async (where, params) =>
      (await pool.query(`SELECT id FROM bench_like WHERE ${numbered(where)} ORDER BY id DESC`, params)).rows,
    sizes: async () => {
      const size = async (names: string[]) =>
        Number(
          (
            await pool.query(
              'SELECT sum(pg_total_relation_size(c.oid)) AS b FROM pg_class c WHERE c.relname = ANY($1)',
              [names],
            )
          ).rows[0].b ?? 0,
        );
      return {
        fts: await size(['search_fts']),
        search: await size([
          'search_items',
          'search_fts',
          'search_facet_rows',
          'search_facet_values',
          'search_aliases',
        ]),
        like: await size(['bench_like']),
      };
    },
    server: async () => {
      const names = [
        'server_version',
        'shared_buffers',
        'work_mem',
        'fsync',
        'synchronous_commit',
        'max_parallel_workers_per_gather',
      ];
      const out: Record<string, string> = {};
      for (const n of names) out[n] = String((await pool.query(`SHOW ${n}`)).rows[0][n]);
      return out;
    },
    close: () => pool.end(),
  };
}

interface Query {
  q: string;
  like: { where: string; params: unknown[] };
}

function cjkSub(r: () => number, text: string, n: number): string | undefined {
  const runs = [...text.matchAll(CJK_RUN)].map((m) => m[0]).filter((x) => [...x].length >= n);
  if (runs.length === 0) return undefined;
  const chars = [...runs[Math.floor(r() * runs.length)]!];
  const at = Math.floor(r() * (chars.length - n + 1));
  return chars.slice(at, at + n).join('');
}

function word(r: () => number, text: string): string | undefined {
  const w = text.match(WORD);
  return w ? w[Math.floor(r() * w.length)] : undefined;
}

async function main(): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const load = { before: loadavg(), cpus: cpus().length, cpu: cpus()[0]?.model ?? '' };
  const store = await openStore(dataDir, DATABASE ? { database: { url: DATABASE } } : {});
  const index = embeddedSearchIndex(store.db);
  const raw = DATABASE ? await postgresBaseline(DATABASE) : sqliteBaseline(join(dataDir, 'archive.db'));
  const who = people(5000, SEED);

  const sample: SearchDocument[] = [];
  const pickR = rng(SEED + 1);
  let textBytes = 0;
  let searchableBytes = 0;
  let buildMs = 0;
  let buildCpuUs = 0;
  // As `reindex` does: a bulk load, compacted at the end (both timed).
  await index.beginBulkLoad();
  for (let i = 0; i < N; i += BATCH) {
    const docs: SearchDocument[] = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) docs.push(documentAt(j, SEED, who, START));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await index.index(docs);
    const c1 = process.cpuUsage(c0);
    buildCpuUs += c1.user + c1.system;
    buildMs += performance.now() - t0;
    await raw.insert(
      docs.map((d, k) => {
        const text = likeText(d);
        textBytes += Buffer.byteLength(d.texts.join('\n'));
        searchableBytes += Buffer.byteLength(text);
        return [i + k, d.from.id, d.time, text];
      }),
    );
    for (const d of docs) if (pickR() < 4000 / N) sample.push(d);
    if ((i / BATCH) % 50 === 0) process.stderr.write(`indexed ${i + docs.length} / ${N}\n`);
  }
  const compactStart = performance.now();
  const compactCpu = process.cpuUsage();
  await index.compact();
  const compactCpuUs = process.cpuUsage(compactCpu);
  const compactMs = performance.now() - compactStart;
  buildMs += compactMs;
  buildCpuUs += compactCpuUs.user + compactCpuUs.system;
  const { fts: ftsBytes, search: searchBytes, like: likeBytes } = await raw.sizes();

  const r = rng(SEED + 2);
  const doc = () => sample[Math.floor(r() * sample.length)]!;
  const like = (terms: string[], extra = '', params: unknown[] = []): Query['like'] => ({
    where: [...terms.map(() => 'text LIKE ?'), ...(extra ? [extra] : [])].join(' AND '),
    params: [...terms.map((t) => `%${t}%`), ...params],
  });
  const gen: Record<string, () => Query | undefined> = {
    'cjk-1': () => {
      const s = cjkSub(r, doc().texts[0]!, 1);
      return s ? { q: s, like: like([s]) } : undefined;
    },
    'cjk-2': () => {
      const s = cjkSub(r, doc().texts[0]!, 2);
      return s ? { q: s, like: like([s]) } : undefined;
    },
    'cjk-3': () => {
      const s = cjkSub(r, doc().texts[0]!, 3);
      return s ? { q: s, like: like([s]) } : undefined;
    },
    'cjk-4': () => {
      const s = cjkSub(r, doc().texts[0]!, 4);
      return s ? { q: s, like: like([s]) } : undefined;
    },
    english: () => {
      const w = word(r, doc().texts[0]!);
      return w ? { q: w, like: like([w]) } : undefined;
    },
    'two-term': () => {
      const d = doc().texts[0]!;
      const a = cjkSub(r, d, 2);
      const b = word(r, d);
      return a && b ? { q: `${a} ${b}`, like: like([a, b]) } : undefined;
    },
    'from+date': () => {
      const d = doc();
      const from = START + Math.floor(((d.time - START) / DAY) * r()) * DAY;
      const to = from + 30 * DAY;
      const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
      return {
        q: `from:${d.from.id} after:${iso(from)} before:${iso(to)}`,
        like: like([], 'from_id = ? AND msg_time >= ? AND msg_time < ?', [d.from.id, from, to]),
      };
    },
    'term+from+date': () => {
      const d = doc();
      const s = cjkSub(r, d.texts[0]!, 2);
      if (!s) return undefined;
      const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
      const from = START;
      const to = d.time + DAY;
      return {
        q: `${s} from:${d.from.name} after:${iso(from)} before:${iso(to)}`,
        like: like([s], 'from_id = ? AND msg_time >= ? AND msg_time < ?', [d.from.id, from, to]),
      };
    },
  };

  const classes: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(gen)) {
    const queries: Query[] = [];
    while (queries.length < SAMPLES) {
      const q = make();
      if (q) queries.push(q);
    }
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const totals: number[] = [];
    for (const q of queries) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await searchArchive(store, { query: q.q, limit: 50 });
      ours.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      oursCpu.push((c.user + c.system) / 1000);
      totals.push(res.total);
    }
    const base: number[] = [];
    let agree = 0;
    for (const [k, q] of queries.slice(0, BASE_SAMPLES).entries()) {
      const t0 = performance.now();
      const rows = await raw.ids(q.like.where, q.like.params);
      base.push(performance.now() - t0);
      if (rows.length === totals[k]) agree++;
    }
    const o = stats(ours);
    const b = stats(base);
    classes[name] = {
      example: queries[0]!.q,
      ours: o,
      oursCpu: stats(oursCpu),
      baseline: b,
      p95SpeedupOverBaseline: Math.round((b.p95 / o.p95) * 10) / 10,
      medianTotal: stats(totals).p50,
      baselineCountsEqual: `${agree}/${Math.min(BASE_SAMPLES, queries.length)}`,
    };
    process.stderr.write(
      `${name}: ours p50 ${o.p50} p95 ${o.p95} ms (CPU p95 ${stats(oursCpu).p95}); LIKE p50 ${b.p50} p95 ${b.p95} ms\n`,
    );
  }
  const server = await raw.server();
  const result = {
    date: new Date().toISOString(),
    database: DATABASE ? 'postgresql' : 'sqlite',
    ...(server ? { server } : {}),
    messages: N,
    build: {
      seconds: Math.round(buildMs / 100) / 10,
      messagesPerSecond: Math.round(N / (buildMs / 1000)),
      // On a loaded machine the wall clock counts time spent waiting for a core: CPU time too.
      cpuSeconds: Math.round(buildCpuUs / 100_000) / 10,
      messagesPerCpuSecond: Math.round(N / (buildCpuUs / 1e6)),
      compactSeconds: Math.round(compactMs / 100) / 10,
      batch: BATCH,
    },
    size: {
      messageTextBytes: textBytes,
      searchableTextBytes: searchableBytes,
      ftsBytes,
      searchTablesBytes: searchBytes,
      likeTableBytes: likeBytes,
      ftsToMessageText: Math.round((ftsBytes / textBytes) * 100) / 100,
      searchTablesToSearchableText: Math.round((searchBytes / searchableBytes) * 100) / 100,
    },
    queries: classes,
    samples: { ours: SAMPLES, baseline: BASE_SAMPLES },
    machine: {
      ...load,
      after: loadavg(),
      node: process.version,
      note: 'shared 2-core VM, other jobs running: load averages above; wall times include waiting for a core',
    },
  };
  await raw.close();
  await store.close();
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', OUT), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  await rm(dataDir, { recursive: true, force: true });
}

await main();
