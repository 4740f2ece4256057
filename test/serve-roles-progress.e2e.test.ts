// Live run progress across processes on PostgreSQL: a console process of its own
// (`serve --role console`, no supervisor) streams the progress of the runs that a capture and a
// worker process (`serve --role capture|worker`) are doing. Through the console's event stream
// (GET /api/events) a worker's run is seen processing with counts that grow, then its summary once
// it has finished; the connectors list shows the connector running with that progress meanwhile.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/store/db.js';
import { tempDir } from './helpers/cli.js';
import { spawnRole, stopChildren, type CliChild } from './helpers/cli-process.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';
import { consoleSession, sandboxArchiveConfig } from './helpers/serve-roles.js';
import { startServe, type ServeProcess } from './helpers/serve-process.js';

/**
 * Enough that the worker's run spans several of the console's one-second progress polls: at
 * 2,000 the stream showed 4 (256 to 1,536 processed) in three runs here. 4,000 proved nothing more:
 * the file took 19.6 s of CPU with them, 15.3 s with 2,000.
 */
const MESSAGES = 2000;
const ADMIN = { username: 'alice', displayName: 'Alice', password: 'a long enough passphrase 1' };

interface Event {
  type: string;
  data: { runId?: number | null; id?: number; phase?: string; processed?: number; connectorId?: string };
}

let dir: { path: string; cleanup: () => Promise<void> };
let pg: PostgresCluster;
let url: string;
let db: Db;
let consoleProc: ServeProcess;
const children: CliChild[] = [];
const events: Event[] = [];
let stream: AbortController;
/** what GET /api/connectors said while the worker's run was going on */
interface Listed {
  id: string;
  state?: string;
  progress?: { phase?: string; processed?: number } | null;
}
let listed: Listed | undefined;

function role(name: 'capture' | 'worker', config: string): CliChild {
  const c = spawnRole(name, { config, url, leaseSeconds: 5 });
  children.push(c);
  return c;
}

/** Reads the server-sent events of the stream into `events` until aborted. */
async function follow(res: Response): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) as Event['data'] });
    }
  }
}

beforeAll(async () => {
  dir = await tempDir('serve-roles-progress');
  pg = await startPostgres();
  url = await pg.createDatabase();
  const config = await sandboxArchiveConfig(dir.path, 5, MESSAGES);
  // The console first (it migrates the empty database), signed in, its event stream open.
  consoleProc = await startServe({ args: ['--role', 'console', '--database', url, '--config', config] });
  const { cookie } = await consoleSession(consoleProc.url, consoleProc.setupToken, ADMIN);
  stream = new AbortController();
  const res = await fetch(`${consoleProc.url}/api/events`, { headers: { cookie }, signal: stream.signal });
  expect(res.status).toBe(200);
  void follow(res);

  db = await openDatabase({ url });
  role('capture', config);
  role('worker', config);
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const processing = events.find((e) => e.type === 'progress' && e.data.phase === 'process');
    if (processing && !listed) {
      const res = await fetch(`${consoleProc.url}/api/connectors`, { headers: { cookie } });
      const body = (await res.json()) as { connectors: Listed[] };
      const bank = body.connectors.find((c) => c.id === 'bank');
      if (bank?.state === 'running') listed = bank;
    }
    const runIds = new Set(events.filter((e) => e.type === 'run').map((e) => e.data.id));
    if (processing && runIds.has(processing.data.runId ?? -1)) break;
  }
}, 300_000);

afterAll(async () => {
  stream?.abort();
  // every child stopped (killed if it did not stop when asked) before the rest is cleaned up
  const failIfHung = await stopChildren(children);
  await db?.destroy();
  await consoleProc?.stop();
  await pg?.stop();
  await dir?.cleanup();
  failIfHung();
});

it("streams a worker process's run progressing, then its summary, from a console process of its own", async () => {
  const processing = events.filter((e) => e.type === 'progress' && e.data.phase === 'process');
  expect(processing.length).toBeGreaterThanOrEqual(2);
  const runId = processing[0]!.data.runId!;
  // The run is a worker process's: its owner is a live process that is not the console.
  const run = await db.selectFrom('runs').select(['owner', 'status']).where('id', '=', runId).executeTakeFirstOrThrow();
  const owner = await db
    .selectFrom('leases')
    .select('holder')
    .where('name', '=', `process:${run.owner}`)
    .executeTakeFirstOrThrow();
  expect(owner.holder).toContain('serve --role worker');
  // Its counts grow from one event to the next.
  const counts = processing.filter((e) => e.data.runId === runId).map((e) => e.data.processed ?? 0);
  expect(counts.length).toBeGreaterThanOrEqual(2);
  expect(counts[counts.length - 1]!).toBeGreaterThan(counts[0]!);
  expect([...counts].sort((a, b) => a - b)).toEqual(counts);
  // Then the summary of the finished run.
  const summary = events.find((e) => e.type === 'run' && e.data.id === runId);
  expect(summary).toBeDefined();
  expect(run.status).not.toBe('running');
});

it('lists the connector as running with the progress the worker recorded', () => {
  expect(listed?.state).toBe('running');
  expect(listed?.progress?.processed).toBeGreaterThanOrEqual(0);
});
