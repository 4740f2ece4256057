/**
 * Where the ingest log's cost goes: one pipeline run of the sandbox tenant with the log (the
 * compiled code in dist/), then its own work replayed apart, part by part, in CPU time of this
 * thread (the main thread, where the pipeline does it): the rows' digests (and, in alternating
 * rounds, the items' digests of version 2, over the model's SHA-256, against version 1, over
 * the model itself; with the model hashes version 2 takes from the prepare threads, measured
 * apart since they are spent there; and the digests' encoding as written before its ASCII fast
 * path, checked to give the same digests, against the encoding now), the chain's hashes
 * with each event's canonical detail, writing the events (the whole `appendIngestOn` in the
 * run's own transactions; the events as the builders give them, and in alternating rounds the
 * same events with their detail as objects alone, which the append then encodes), and the same rows inserted in the format before migration 034 (hex
 * text digest and hash, a stored prev_hash) against the format now (32-byte blobs, no
 * prev_hash), 64 to a statement, in the same run, with the bytes each table takes. The share of
 * the database's pages the log takes says what it adds to the WAL, the commits' syncs and
 * checkpoints. Each part is the median of several rounds, set beside the CPU the main thread
 * and the whole process spent on the run.
 *
 *   npm run build && node --import tsx bench/ingest-log-parts.ts [--messages 4000] [--rounds 8]
 *
 * Writes bench/results/ingest-log-parts.json.
 */
import { hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { generateTenant } from '../dist/sources/sandbox/index.js';
import {
  appendIngestOn,
  entryDigest,
  fastIngestHash,
  hexOf,
  itemDigest,
  openStore,
  rawDigest,
  transact,
} from '../dist/store/index.js';
import { connectionOf } from '../dist/store/db.js';
import { modelSha256 } from '../dist/core/sha256.js';
import { freshRun } from './fresh-run.js';
import { groupByTransaction } from './ingest-log-groups.js';
import { threadCpu } from './thread-cpu.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '8' },
    workers: { type: 'string', default: '2' },
  },
});
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenant = join(tmp, `ingest-tenant-${values.messages}`);

/**
 * The rows' digests as computed before the encoding's ASCII fast path: the same bytes
 * (`<UTF-8 length>:<tag><value>`), each field's length taken by Buffer.byteLength.
 */
function digestOfBefore(fields: (string | number | null)[]): string {
  let text = '';
  for (const f of fields) {
    const v = f === null ? 'z' : typeof f === 'number' ? `n${f}` : `s${f}`;
    text += `${Buffer.byteLength(v)}:${v}`;
  }
  return hash('sha256', text, 'hex');
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU and wall milliseconds of `fn`, the median of `rounds` runs (each after `before`). */
async function measure(rounds: number, fn: () => unknown, before?: () => Promise<void>) {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (before) await before();
    const c = cpuMs();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
  return { cpuMs: Number(median(cpu).toFixed(1)), wallMs: Number(median(wall).toFixed(1)) };
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenant, 'tenant.json')))
    await generateTenant({ outDir: tenant, seed: 13, messages: Number(values.messages) });
  const rounds = Number(values.rounds);
  const load = [loadavg()[0]!];

  const { store, run } = await freshRun(tenant, join(tmp, 'ingest-parts-run'), Number(values.workers), 'dist');
  const before = threadCpu();
  const { report } = await run();
  const after = threadCpu();
  const db = store.db as unknown as Parameters<typeof appendIngestOn>[0];
  const raws = await db
    .selectFrom('raw_records')
    .select(['connector_id', 'seq_key', 'msgid', 'publickey_ver', 'record_sha256', 'captured_at'])
    .execute();
  const items = await db.selectFrom('items').selectAll().execute();
  const entries = await db
    .selectFrom('mailbox_entries')
    .select(['mailbox', 'folder', 'item_key', 'mime_sha256', 'msg_time', 'delivered_at', 'run_id'])
    .execute();
  const events = await db.selectFrom('ingest_log').selectAll().orderBy('id').execute();
  // The log's share of the database's pages (what its rows add to the WAL, syncs and checkpoints).
  const pages = await sql<{ name: string; bytes: number }>`
    SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`.execute(db);
  const total = pages.rows.reduce((s, r) => s + Number(r.bytes), 0);
  const logBytes = pages.rows.filter((r) => r.name === 'ingest_log').reduce((s, r) => s + Number(r.bytes), 0);
  await store.close();

  // The run's transactions, each event as the builders give it and bare (see ingest-log-groups.ts).
  const groups = groupByTransaction(events);

  // What the main thread computes now: items of version 2, their model hashes made on the prepare threads.
  const modelHashes = items.map((i) => modelSha256(i.model_json));
  const digests = await measure(rounds, () => {
    for (const r of raws) rawDigest(r);
    for (let k = 0; k < items.length; k++) itemDigest(items[k]!, 2, modelHashes[k]);
    for (const e of entries) entryDigest(e);
  });
  // The items' digests alone, version 1 against version 2 in alternating rounds (ABBA...), and
  // the model hashes version 2 moves to the prepare threads.
  const itemV1 = { cpu: [] as number[], wall: [] as number[] };
  const itemV2 = { cpu: [] as number[], wall: [] as number[] };
  for (let r = 0; r < rounds * 4; r++) {
    for (const v of r % 2 ? ([2, 1] as const) : ([1, 2] as const)) {
      const m = await measure(1, () => {
        if (v === 1) for (const i of items) itemDigest(i, 1);
        else for (let k = 0; k < items.length; k++) itemDigest(items[k]!, 2, modelHashes[k]);
      });
      const into = v === 1 ? itemV1 : itemV2;
      into.cpu.push(m.cpuMs);
      into.wall.push(m.wallMs);
    }
  }
  // The encoding before its ASCII fast path against now, over the same rows (version 2 items).
  type Row = Record<string, string | number | null>;
  const rawFields = (r: Row) => [r.connector_id, r.seq_key, r.msgid, r.publickey_ver, r.record_sha256, r.captured_at];
  const itemFields = (i: Row, k: number) => [
    ...[i.key, i.connector_id, i.raw_id, i.msgid, i.seq_key, i.msgtype, i.action, i.conversation_id, i.room_id],
    ...[i.from_id, i.msg_time, i.model_version, modelHashes[k]!, i.mime_sha256, i.mime_size, i.flags, i.created_at],
  ];
  const entryFields = (e: Row) => [
    e.mailbox,
    e.folder,
    e.item_key,
    e.mime_sha256,
    e.msg_time,
    e.delivered_at,
    e.run_id,
  ];
  const fieldRows = [
    ...raws.map((r) => rawFields(r as unknown as Row)),
    ...items.map((i, k) => itemFields(i as unknown as Row, k)),
    ...entries.map((e) => entryFields(e as unknown as Row)),
  ] as (string | number | null)[][];
  const nowDigests = [
    ...raws.map((r) => rawDigest(r)),
    ...items.map((i, k) => itemDigest(i, 2, modelHashes[k])),
    ...entries.map((e) => entryDigest(e)),
  ];
  fieldRows.forEach((f, k) => {
    if (digestOfBefore(f) !== nowDigests[k]) throw new Error(`row ${k}: the encoding before gives another digest`);
  });
  const encodingBefore = { cpu: [] as number[], wall: [] as number[] };
  const encodingNow = { cpu: [] as number[], wall: [] as number[] };
  for (let r = 0; r < rounds * 2; r++) {
    for (const before of r % 2 ? [false, true] : [true, false]) {
      const m = await measure(1, () => {
        if (before) for (const f of fieldRows) digestOfBefore(f);
        else {
          for (const w of raws) rawDigest(w);
          for (let k = 0; k < items.length; k++) itemDigest(items[k]!, 2, modelHashes[k]);
          for (const e of entries) entryDigest(e);
        }
      });
      const into = before ? encodingBefore : encodingNow;
      into.cpu.push(m.cpuMs);
      into.wall.push(m.wallMs);
    }
  }
  const modelHashing = await measure(rounds * 4, () => {
    for (const i of items) modelSha256(i.model_json);
  });
  const chain = await measure(rounds, () => {
    let prev = '0'.repeat(64);
    for (const e of events)
      prev = fastIngestHash(prev, Number(e.at), e.kind, e.connector_id, e.ref, hexOf(e.digest), e.detail_json);
  });

  const dir = join(tmp, 'ingest-parts-log');
  let target: Awaited<ReturnType<typeof openStore>> | undefined;
  const fresh = async () => {
    await target?.close();
    await rm(dir, { recursive: true, force: true });
    target = await openStore(dir);
  };
  const appendAll = (bare: boolean) => async () => {
    const tdb = target!.db;
    for (const g of groups) await transact(tdb, async () => appendIngestOn(tdb, bare ? g.bare : g.built, g.at));
  };
  // The builders' events and the bare ones in alternating rounds (ABBA...).
  const appendBuilt = { cpu: [] as number[], wall: [] as number[] };
  const appendBare = { cpu: [] as number[], wall: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const bare of r % 2 ? [true, false] : [false, true]) {
      const m = await measure(1, appendAll(bare), fresh);
      const into = bare ? appendBare : appendBuilt;
      into.cpu.push(m.cpuMs);
      into.wall.push(m.wallMs);
    }
  }
  // The same rows, already hashed, inserted in the earlier format and in the format now.
  const formats = {
    earlier: {
      table: `CREATE TABLE log_earlier (id integer primary key, at bigint not null, kind text not null,
        connector_id text not null, ref text not null, digest text not null, detail_json text not null,
        prev_hash text not null, hash text not null)`,
      rows: events.map((e, i) => [
        e.id,
        e.at,
        e.kind,
        e.connector_id,
        e.ref,
        hexOf(e.digest),
        e.detail_json,
        i === 0 ? '0'.repeat(64) : hexOf(events[i - 1]!.hash),
        hexOf(e.hash),
      ]),
    },
    now: {
      table: `CREATE TABLE log_now (id integer primary key, at bigint not null, kind text not null,
        connector_id text not null, ref text not null, digest blob not null, detail_json text not null,
        hash blob not null)`,
      rows: events.map((e) => [e.id, e.at, e.kind, e.connector_id, e.ref, e.digest, e.detail_json, e.hash]),
    },
  };
  const bytesOf: Record<string, number> = {};
  const insertRows = (format: keyof typeof formats) => async () => {
    const c = connectionOf(target!.db);
    const { table, rows } = formats[format];
    c.exec(table);
    const name = `log_${format}`;
    const width = rows[0]!.length;
    const row = `(${Array(width).fill('?').join(', ')})`;
    const many = c.prepare(`INSERT INTO ${name} VALUES ${Array(64).fill(row).join(', ')}`);
    const one = c.prepare(`INSERT INTO ${name} VALUES ${row}`);
    let i = 0;
    for (const g of groups) {
      const end = i + g.built.length;
      c.exec('BEGIN');
      for (; i + 64 <= end; i += 64) many.run(rows.slice(i, i + 64).flat());
      for (; i < end; i++) one.run(rows[i]!);
      c.exec('COMMIT');
    }
    const b = c.prepare('SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name = ?').get(name) as { bytes: number };
    bytesOf[format] = Number(b.bytes);
  };
  // The two formats in alternating rounds (ABBA...), so that a drifting load favours neither.
  const insertEarlier = { cpu: [] as number[], wall: [] as number[] };
  const insertNow = { cpu: [] as number[], wall: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const format of r % 2 ? (['now', 'earlier'] as const) : (['earlier', 'now'] as const)) {
      const m = await measure(1, insertRows(format), fresh);
      const into = format === 'now' ? insertNow : insertEarlier;
      into.cpu.push(m.cpuMs);
      into.wall.push(m.wallMs);
    }
  }
  const medianOf = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
  const summary = (m: { cpu: number[]; wall: number[] }) => ({ cpuMs: medianOf(m.cpu), wallMs: medianOf(m.wall) });
  const pairCpu = insertNow.cpu.map((c, i) => c / insertEarlier.cpu[i]!);
  const itemRatio = itemV2.cpu.map((c, i) => c / itemV1.cpu[i]!);
  const encodingRatio = encodingNow.cpu.map((c, i) => c / encodingBefore.cpu[i]!);
  const v1 = summary(itemV1);
  const v2 = summary(itemV2);
  const append = summary(appendBuilt);
  await target?.close();
  load.push(loadavg()[0]!);

  const mainCpu = before && after ? 1000 * (after.main - before.main) : NaN;
  const allCpu = before && after ? 1000 * (after.all - before.all) : NaN;
  const share = (ms: number) => ({
    ofMainThread: Number((ms / mainCpu).toFixed(4)),
    ofAllThreads: Number((ms / allCpu).toFixed(4)),
  });
  const result = {
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}, shared with other jobs (noisy)`,
    loadAverage1m: { before: Number(load[0]!.toFixed(2)), after: Number(load[1]!.toFixed(2)) },
    node: process.version,
    messages: Number(values.messages),
    archived: report.archived,
    run: { mainThreadCpuMs: Math.round(mainCpu), allThreadsCpuMs: Math.round(allCpu) },
    events: events.length,
    transactions: groups.length,
    rounds,
    /** CPU ms over the run's rows, median of the rounds, and as a share of the run's CPU */
    parts: {
      digests: { ...digests, ...share(digests.cpuMs), rows: raws.length + items.length + entries.length },
      /** the items' digests alone (main thread), version 1 and version 2, in alternating rounds */
      itemDigests: {
        items: items.length,
        modelJsonBytes: items.reduce((t, i) => t + Buffer.byteLength(i.model_json), 0),
        version1: { ...v1, ...share(v1.cpuMs) },
        version2: { ...v2, ...share(v2.cpuMs) },
        /** version 2 / version 1 within each round: median, min, max */
        ratioCpu: {
          median: Number(medianOf(itemRatio).toFixed(3)),
          min: Number(Math.min(...itemRatio).toFixed(3)),
          max: Number(Math.max(...itemRatio).toFixed(3)),
        },
        /** the model hashes version 2 takes from the prepare threads (spent there, not on the main thread) */
        modelHashesOnPrepareThreads: { ...modelHashing, ofAllThreads: share(modelHashing.cpuMs).ofAllThreads },
        /** (version 2 + the model hashes) / version 1: what version 2 costs on all threads together */
        ratioCpuAllThreads: Number(((v2.cpuMs + modelHashing.cpuMs) / v1.cpuMs).toFixed(3)),
      },
      /** all the rows' digests (items of version 2), the encoding before its ASCII fast path and now, alternating rounds; the same digests */
      digestEncoding: {
        before: { ...summary(encodingBefore), ...share(summary(encodingBefore).cpuMs) },
        now: { ...summary(encodingNow), ...share(summary(encodingNow).cpuMs) },
        ratioCpu: {
          median: Number(medianOf(encodingRatio).toFixed(3)),
          min: Number(Math.min(...encodingRatio).toFixed(3)),
          max: Number(Math.max(...encodingRatio).toFixed(3)),
        },
      },
      chainHashes: { ...chain, ...share(chain.cpuMs) },
      appendIngestOn: {
        ...append,
        ...share(append.cpuMs),
        note: 'chain hashes, canonical details and inserts, in the run’s transactions with their commits',
      },
      /** the same appends given detail objects alone, encoded by the append (alternating rounds) */
      appendIngestOnDetailObjects: { ...summary(appendBare), ...share(summary(appendBare).cpuMs) },
    },
    /** the run's rows inserted 64 to a statement in its transactions: the format before migration 034 and now */
    inserts: {
      earlierFormat: { ...summary(insertEarlier), bytes: bytesOf.earlier },
      formatNow: { ...summary(insertNow), bytes: bytesOf.now },
      /** now / earlier within each round: median, min, max */
      ratioCpu: {
        median: Number(medianOf(pairCpu).toFixed(3)),
        min: Number(Math.min(...pairCpu).toFixed(3)),
        max: Number(Math.max(...pairCpu).toFixed(3)),
      },
      ratioBytes: Number((bytesOf.now! / bytesOf.earlier!).toFixed(3)),
    },
    pages: {
      ingestLogBytes: logBytes,
      databaseBytes: total,
      share: Number((logBytes / total).toFixed(4)),
    },
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'ingest-log-parts.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
