/**
 * What a connector's console page costs, query by query: the store calls of
 * `GET /api/connectors/:id` (its summary, runs, counters and destinations) run against a seeded
 * archive through a Kysely that logs every query, each repeated, then SQLite's plan of each.
 * It says which query the page's time goes to before anything is changed to make it faster.
 *
 *   node --import tsx bench/connector-page-queries.ts [--data bench/tmp/console-1000000] [--reps 7]
 *
 * The archive is opened as it is (no migration runs), so the same script profiles an archive
 * before and after a change. Writes bench/results/connector-page-queries-<label>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../src/store/schema.js';
import { connectorTotals, destinationCounters, listRuns, recordCounters, sourceHealth } from '../src/store/index.js';
import { CONNECTOR_ID } from './seed-archive.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(import.meta.dirname, 'tmp', 'console-1000000') },
    reps: { type: 'string', default: '7' },
    label: { type: 'string', default: 'latest' },
  },
});

interface Seen {
  sql: string;
  parameters: readonly unknown[];
  ms: number[];
}

const seen = new Map<string, Seen>();
const sqlite = new SQLite(join(values.data!, 'archive.db'), { readonly: true });
const db = new Kysely<Database>({
  dialect: new SqliteDialect({ database: sqlite }),
  log: (e) => {
    if (e.level !== 'query') return;
    const key = e.query.sql;
    const s = seen.get(key) ?? { sql: key, parameters: e.query.parameters, ms: [] };
    s.ms.push(e.queryDurationMillis);
    seen.set(key, s);
  },
});

/** The page's store calls, one after another (SQLite answers them one at a time anyway). */
async function page(): Promise<void> {
  const now = Date.now();
  await sourceHealth(db, CONNECTOR_ID, now);
  await listRuns(db, { connectorId: CONNECTOR_ID, limit: 1 });
  await connectorTotals(db, CONNECTOR_ID);
  await listRuns(db, { connectorId: CONNECTOR_ID, limit: 21 });
  await recordCounters(db, { connectorId: CONNECTOR_ID });
  await destinationCounters(db, { connectorId: CONNECTOR_ID });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number) => Math.round(n * 100) / 100;

await page();
seen.clear();
const pages: number[] = [];
for (let i = 0; i < Number(values.reps); i++) {
  const t = performance.now();
  await page();
  pages.push(performance.now() - t);
}
const queries = [...seen.values()]
  .map((s) => ({
    medianMs: round(median(s.ms)),
    perPage: s.ms.length / Number(values.reps),
    sql: s.sql.replace(/\s+/g, ' ').trim(),
    plan: (
      sqlite.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.parameters as unknown[])) as { detail: string }[]
    ).map((p) => p.detail),
  }))
  .sort((a, b) => b.medianMs * b.perPage - a.medianMs * a.perPage);
const out = {
  date: new Date().toISOString(),
  archive: values.data,
  loadAverage: loadavg().map(round),
  pageMedianMs: round(median(pages)),
  queries,
};
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  join(import.meta.dirname, 'results', `connector-page-queries-${values.label}.json`),
  JSON.stringify(out, null, 2) + '\n',
);
for (const q of queries)
  console.log(`${q.medianMs} ms x${q.perPage}  ${q.sql.slice(0, 150)}\n    ${q.plan.join(' | ')}`);
console.log(`page: ${out.pageMedianMs} ms median (load ${out.loadAverage.join(' ')})`);
await db.destroy();
