/**
 * Console benchmark: the server time of the API calls each console page makes, on an archive of
 * 1,000,000 items (about 3,000,000 mailbox entries over ~2,000 mailboxes, with raw records, runs
 * and holds) against the same calls on a 10,000-item archive measured in the same run. The
 * target is under 200 ms of server time per page load at 1,000,000 items.
 *
 *   node --import tsx bench/console.bench.ts [--items 1000000] [--baseline 10000] [--reps 30]
 *
 * Archives are seeded by seed-archive.ts and cached under bench/tmp. Requests go through the
 * whole app (`buildApp`: session lookup, permission check, routes, audit writes) with Fastify's
 * inject, so the time is the server's alone: no network, no browser. Each call is warmed up,
 * then the calls are repeated round-robin `reps` times; a page load is the sum of its calls in
 * the same round. Writes bench/results/console.json and prints it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { isArchiverError } from '../src/core/errors.js';
import { createSession, createUser, SecretBox } from '../src/security/index.js';
import { buildApp } from '../src/server/app.js';
import { encodeCursor } from '../src/server/routes/mailboxes.js';
import { ARCHIVE_FOLDER, openStore, type Store } from '../src/store/index.js';
import { CONNECTOR_ID, seedArchive, type SeededArchive } from './seed-archive.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    baseline: { type: 'string', default: '10000' },
    mailboxes: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
  },
});
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const reps = Number(values.reps);
const warmup = Number(values.warmup);
const TARGET_MS = 200;

interface Call {
  name: string;
  url: string;
}

interface Page {
  name: string;
  calls: string[];
}

const enc = encodeURIComponent;

async function session(store: Store): Promise<string> {
  const now = Date.now();
  let id: number;
  try {
    id = (
      await createUser(
        store.db,
        { username: 'bench', displayName: 'Bench', password: 'bench-console-password', roles: ['org-admin'] },
        now,
      )
    ).id;
  } catch (err) {
    if (!isArchiverError(err) && !String(err).includes('exists')) throw err;
    id = (await store.db.selectFrom('users').select('id').where('username', '=', 'bench').executeTakeFirstOrThrow()).id;
  }
  const s = await createSession(store.db, id, { ip: '127.0.0.1', userAgent: 'bench' }, now);
  return `wxa_session=${s.token}`;
}

/** What each page asks, on the largest mailbox (the worst case) of the archive. */
async function plan(store: Store): Promise<{ calls: Call[]; pages: Page[]; target: Record<string, unknown> }> {
  const db = store.db;
  // The seeder makes employee.00000 the largest mailbox; check rather than assume.
  const sizes = await Promise.all(
    ['employee.00000@bench-bank.cn', 'employee.01000@bench-bank.cn'].map(async (mailbox) => {
      const r = await db
        .selectFrom('mailbox_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('mailbox', '=', mailbox)
        .where('folder', '=', ARCHIVE_FOLDER)
        .executeTakeFirstOrThrow();
      return { mailbox, entries: Number(r.n) };
    }),
  );
  const big = sizes[0]!;
  const deepAt = Math.floor(big.entries * 0.9);
  const deep = await db
    .selectFrom('mailbox_entries')
    .select(['msg_time', 'id'])
    .where('mailbox', '=', big.mailbox)
    .where('folder', '=', ARCHIVE_FOLDER)
    .orderBy('msg_time', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(deepAt)
    .executeTakeFirstOrThrow();
  const cursor = encodeCursor({ msgTime: Number(deep.msg_time), id: Number(deep.id) });
  const firstPage = await db
    .selectFrom('mailbox_entries as e')
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .select(['e.item_key', 'i.msgtype'])
    .where('e.mailbox', '=', big.mailbox)
    .where('e.folder', '=', ARCHIVE_FOLDER)
    .orderBy('e.msg_time', 'desc')
    .limit(200)
    .execute();
  const textItem = firstPage.find((r) => r.msgtype === 'text')!.item_key;
  const imageItem = firstPage.find((r) => r.msgtype === 'image')!.item_key;
  const box = `/api/mailboxes/${enc(big.mailbox)}`;
  const calls: Call[] = [
    { name: 'GET /api/mailboxes (first page)', url: '/api/mailboxes?limit=50' },
    { name: 'GET /api/mailboxes?q= (prefix)', url: '/api/mailboxes?q=employee.01&limit=50' },
    { name: 'GET items (first page, largest mailbox)', url: `${box}/items?limit=50` },
    { name: 'GET items (deep page, 90% down)', url: `${box}/items?limit=50&before=${cursor}` },
    { name: 'GET items (first page, median mailbox)', url: `/api/mailboxes/${enc(sizes[1]!.mailbox)}/items?limit=50` },
    { name: 'GET item view (text)', url: `${box}/items/${enc(textItem)}` },
    { name: 'GET item html (text)', url: `${box}/items/${enc(textItem)}/html` },
    { name: 'GET item view (image)', url: `${box}/items/${enc(imageItem)}` },
    { name: 'GET item html (image)', url: `${box}/items/${enc(imageItem)}/html` },
    { name: 'GET /api/connectors', url: '/api/connectors' },
    { name: 'GET /api/connectors/:id', url: `/api/connectors/${CONNECTOR_ID}` },
  ];
  const pages: Page[] = [
    { name: '/mailboxes', calls: ['GET /api/mailboxes (first page)'] },
    { name: '/mailboxes (search)', calls: ['GET /api/mailboxes?q= (prefix)'] },
    { name: '/mailboxes/:address (largest)', calls: ['GET items (first page, largest mailbox)'] },
    { name: '/mailboxes/:address (deep page)', calls: ['GET items (deep page, 90% down)'] },
    { name: '/mailboxes/:address (median)', calls: ['GET items (first page, median mailbox)'] },
    { name: '/mailboxes/:address/:itemKey (text)', calls: ['GET item view (text)', 'GET item html (text)'] },
    { name: '/mailboxes/:address/:itemKey (image)', calls: ['GET item view (image)', 'GET item html (image)'] },
    { name: '/connectors', calls: ['GET /api/connectors'] },
    { name: '/connectors/:id', calls: ['GET /api/connectors/:id'] },
  ];
  return {
    calls,
    pages,
    target: { largestMailbox: big, medianMailbox: sizes[1], deepPageOffset: deepAt, textItem, imageItem },
  };
}

function stats(ms: number[]): { median: number; p95: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: round(at(0.5)), p95: round(at(0.95)), min: round(s[0]!), max: round(s[s.length - 1]!) };
}

async function measure(seeded: SeededArchive): Promise<Record<string, unknown>> {
  const store = await openStore(seeded.dataDir);
  let app: FastifyInstance | undefined;
  try {
    const secrets = await SecretBox.open({ dataDir: seeded.dataDir });
    app = await buildApp({ store, config: seeded.config, secrets });
    const cookie = await session(store);
    const { calls, pages, target } = await plan(store);
    const times = new Map<string, number[]>(calls.map((c) => [c.name, []]));
    const bytes = new Map<string, number>();
    const run = async (c: Call): Promise<number> => {
      const t = performance.now();
      const res = await app!.inject({ method: 'GET', url: c.url, headers: { cookie } });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${c.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      bytes.set(c.name, res.rawPayload.length);
      return ms;
    };
    for (let i = 0; i < warmup; i++) for (const c of calls) await run(c);
    for (let i = 0; i < reps; i++) for (const c of calls) times.get(c.name)!.push(await run(c));
    const perCall = Object.fromEntries(
      calls.map((c) => [c.name, { ...stats(times.get(c.name)!), responseBytes: bytes.get(c.name) }]),
    );
    const perPage = Object.fromEntries(
      pages.map((p) => {
        const sums = Array.from({ length: reps }, (_, i) => p.calls.reduce((a, n) => a + times.get(n)![i]!, 0));
        return [p.name, { calls: p.calls, ...stats(sums) }];
      }),
    );
    return {
      archive: {
        items: seeded.items,
        mailboxes: seeded.mailboxes,
        entries: seeded.entries,
        rawRecords: seeded.rawRecords,
        runs: seeded.runs,
        holds: seeded.holds,
        seedSeconds: seeded.seedSeconds,
        seededThisRun: !seeded.cached,
        ...(seeded.migratedSeconds === undefined ? {} : { migratedThisRunSeconds: seeded.migratedSeconds }),
      },
      target,
      calls: perCall,
      pages: perPage,
    };
  } finally {
    await app?.close();
    await store.close();
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  const log = (line: string) => console.error(line);
  const mailboxes = Number(values.mailboxes);
  const small = await seedArchive({ tmp, items: Number(values.baseline), mailboxes, log });
  const large = await seedArchive({ tmp, items: Number(values.items), mailboxes, log });
  const load = [round(loadavg()[0]!)];
  log(`measuring ${small.items} items ...`);
  const baseline = await measure(small);
  log(`measuring ${large.items} items ...`);
  const result = await measure(large);
  load.push(round(loadavg()[0]!));
  const pages = result.pages as Record<string, { median: number; p95: number }>;
  const basePages = baseline.pages as Record<string, { median: number; p95: number }>;
  const summary = Object.fromEntries(
    Object.entries(pages).map(([name, p]) => [
      name,
      {
        medianMs: p.median,
        p95Ms: p.p95,
        baselineMedianMs: basePages[name]!.median,
        ratio: round(p.median / basePages[name]!.median),
        underTarget: p.p95 < TARGET_MS,
      },
    ]),
  );
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
    /** 1-minute load average before and after measuring: the machine is shared */
    loadAverage: load,
    method: `Fastify inject through buildApp (session, permission, audit); ${warmup} warm-up rounds, then ${reps} rounds of every call; ms`,
    targetMsPerPageLoad: TARGET_MS,
    summary,
    large: result,
    baseline,
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'console.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

await main();
