// The console's buttons across processes on PostgreSQL: a console process of its own
// (`serve --role console`, no supervisor) pauses, resumes and runs a connector that capture and
// worker processes (`serve --role capture|worker`) run. Paused, a worker takes no record, and a
// worker under way stops claiming once its batch in hand is committed; resumed, it finishes;
// "run now" makes the capture process, whose next pass is an hour away, start a run within
// seconds. The list shows the paused state and the capture process's next pass, and each action
// is audited as in the single process.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/store/db.js';
import { tempDir } from './helpers/cli.js';
import { spawnRole, stopChildren, type CliChild } from './helpers/cli-process.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';
import { consoleSession, sandboxArchiveConfig } from './helpers/serve-roles.js';
import { startServe, type ServeProcess } from './helpers/serve-process.js';

// Enough batches (256 records each) that a pause lands with records still to process.
const MESSAGES = 2000;
const ADMIN = { username: 'alice', displayName: 'Alice', password: 'a long enough passphrase 1' };

let dir: { path: string; cleanup: () => Promise<void> };
let pg: PostgresCluster;
let url: string;
let db: Db;
let config: string;
let consoleProc: ServeProcess;
let session: { cookie: string; csrf: string };
const children: CliChild[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${consoleProc.url}/api${path}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function listed(): Promise<{ id: string; state: string; nextRunAt: number | null }> {
  const { body } = await api('GET', '/connectors');
  return (body.connectors as { id: string; state: string; nextRunAt: number | null }[]).find((c) => c.id === 'bank')!;
}

async function pending(): Promise<number> {
  const r = await db
    .selectFrom('raw_records')
    .select(db.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function claimedCount(): Promise<number> {
  return (await db.selectFrom('raw_records').select('id').where('claim_owner', 'is not', null).execute()).length;
}

/** Runs recorded by the process whose heartbeat lease names this pid. */
async function runsOf(c: CliChild): Promise<{ id: number; status: string }[]> {
  const lease = await db
    .selectFrom('leases')
    .select('owner')
    .where('holder', 'like', `% pid ${c.proc.pid} %`)
    .executeTakeFirst();
  if (!lease?.owner) return [];
  return db.selectFrom('runs').select(['id', 'status']).where('owner', '=', lease.owner).orderBy('id').execute();
}

async function until(what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

function role(name: 'capture' | 'worker', intervalSeconds: number): CliChild {
  const c = spawnRole(name, { config, url, leaseSeconds: 5, intervalSeconds });
  children.push(c);
  return c;
}

beforeAll(async () => {
  dir = await tempDir('serve-roles-controls');
  pg = await startPostgres();
  url = await pg.createDatabase();
  config = await sandboxArchiveConfig(dir.path, 9, MESSAGES);
  consoleProc = await startServe({ args: ['--role', 'console', '--database', url, '--config', config] });
  session = await consoleSession(consoleProc.url, consoleProc.setupToken, ADMIN);
  db = await openDatabase({ url });
}, 180_000);

afterAll(async () => {
  // every child stopped (killed if it did not stop when asked) before the rest is cleaned up
  const failIfHung = await stopChildren(children);
  await db?.destroy();
  await consoleProc?.stop();
  await pg?.stop();
  await dir?.cleanup();
  failIfHung();
});

let capture: CliChild;

it('shows the next pass the capture process reported', async () => {
  // An hour between passes: only a run the console asks for can start another soon.
  capture = role('capture', 3600);
  await until('the capture process has captured the tenant', async () => (await runsOf(capture)).length === 1);
  await until('its run has finished', async () => (await runsOf(capture))[0]!.status === 'succeeded');
  expect(await pending()).toBe(MESSAGES);
  const bank = await listed();
  expect(bank.state).toBe('idle');
  expect(bank.nextRunAt).toBeGreaterThan(Date.now() + 3000_000);
});

let worker: CliChild;

it('pauses a connector of the config file for every process: a worker takes no record', async () => {
  expect((await api('POST', '/connectors/bank/pause')).status).toBe(200);
  expect((await listed()).state).toBe('paused');
  // Run now is refused while paused, as in the single process.
  const refused = await api('POST', '/connectors/bank/run');
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('WXA_CONNECTOR_PAUSED');
  worker = role('worker', 1);
  await until(
    'the worker is up',
    async () =>
      (await db.selectFrom('leases').select('name').where('holder', 'like', `% pid ${worker.proc.pid} %`).execute())
        .length > 0,
  );
  await sleep(5000);
  expect(await pending()).toBe(MESSAGES);
  const claimed = await db.selectFrom('raw_records').select('id').where('claim_owner', 'is not', null).execute();
  expect(claimed).toEqual([]);
  expect(await runsOf(worker)).toEqual([]);
});

it('resumes: the worker processes; paused again mid-way, it stops claiming; resumed, it finishes', async () => {
  expect((await api('POST', '/connectors/bank/resume')).status).toBe(200);
  await until('the worker has committed a batch', async () => (await pending()) < MESSAGES, 120_000);
  expect((await api('POST', '/connectors/bank/pause')).status).toBe(200);
  // The batch in hand commits, however long that takes on a loaded machine: nothing claimed and
  // nothing processed over 3 seconds; then nothing more is claimed or processed for 4 seconds.
  let stopped = -1;
  await until('the batch in hand has committed', async () => {
    const before = await pending();
    if ((await claimedCount()) > 0) return false;
    await sleep(3000);
    stopped = await pending();
    return stopped === before && (await claimedCount()) === 0;
  });
  await sleep(4000);
  expect(await pending()).toBe(stopped);
  expect(stopped).toBeGreaterThan(0);
  expect(await db.selectFrom('raw_records').select('id').where('claim_owner', 'is not', null).execute()).toEqual([]);
  expect((await api('POST', '/connectors/bank/resume')).status).toBe(200);
  await until('every record is processed', async () => (await pending()) === 0, 240_000);
}, 300_000);

it('runs now: the capture process starts a run within seconds, its next pass an hour away', async () => {
  const before = (await runsOf(capture)).length;
  const asked = Date.now();
  const res = await api('POST', '/connectors/bank/run');
  expect(res.status).toBe(202);
  await until(
    'the capture process has started another run',
    async () => (await runsOf(capture)).length > before,
    20_000,
  );
  expect(Date.now() - asked).toBeLessThan(20_000);
  // Taken once: no request is left to start a third.
  const control = await db
    .selectFrom('connector_controls')
    .selectAll()
    .where('connector_id', '=', 'bank')
    .executeTakeFirstOrThrow();
  expect(control.run_requested_at).toBeNull();
  await sleep(3000);
  expect((await runsOf(capture)).length).toBe(before + 1);
});

it('audits each action as the single process does', async () => {
  const rows = await db
    .selectFrom('audit_events')
    .select(['action', 'target', 'actor'])
    .where('action', 'in', ['connector.pause', 'connector.resume', 'connector.run'])
    .orderBy('id')
    .execute();
  expect(rows.map((r) => r.action)).toEqual([
    'connector.pause',
    'connector.resume',
    'connector.pause',
    'connector.resume',
    'connector.run',
  ]);
  expect(rows.every((r) => r.target === 'bank' && r.actor === ADMIN.username)).toBe(true);
});
