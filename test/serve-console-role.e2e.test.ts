// `serve --role console` on PostgreSQL: the console alone, any number of them on one database.
// Two console processes (each with its own data directory, as on two machines) share the
// administrator set up through one and the session signed in through it: the other answers
// that session, and a sign-out through the other ends it for both. Sessions live in the
// database, so a load balancer may send a user to either. And `serve --database URL` without a
// role is all of them in one process: it captures, processes and serves the console.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openDatabase } from '../src/store/db.js';
import { tempDir } from './helpers/cli.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';
import { startServe, type ServeProcess } from './helpers/serve-process.js';
import { setupAdminByApi } from './helpers/browser.js';

const ADMIN = { username: 'alice', displayName: 'Alice', password: 'a long enough passphrase 1' };

let pg: PostgresCluster;
let consoles: ServeProcess[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase();
  const args = ['--role', 'console', '--database', url];
  // One after the other: the first migrates the empty database.
  consoles.push(await startServe({ args }));
  consoles.push(await startServe({ args }));
}, 180_000);

afterAll(async () => {
  for (const c of consoles) await c.stop();
  consoles = [];
  await pg?.stop();
});

it('shares the administrator and the session between two console processes', async () => {
  const [a, b] = consoles as [ServeProcess, ServeProcess];
  // printed once the whole process has started, after the console's address and token
  for (const c of [a, b]) await c.waitForStderr('serve --role console: running as');
  // The newest setup token is the valid one, whichever console printed it.
  await setupAdminByApi(a.url, b.setupToken, ADMIN);
  const signIn = await fetch(`${a.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  expect(signIn.status).toBe(200);
  const cookie = /wxa_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
  const csrf = ((await signIn.json()) as { csrfToken?: string }).csrfToken;
  const onB = await fetch(`${b.url}/api/session`, { headers: { cookie } });
  expect(onB.status).toBe(200);
  expect(JSON.stringify(await onB.json())).toContain(ADMIN.username);
  const out = await fetch(`${b.url}/api/session`, {
    method: 'DELETE',
    headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
  });
  expect(out.status).toBeLessThan(300);
  expect((await fetch(`${a.url}/api/session`, { headers: { cookie } })).status).toBe(401);
});

it('runs capture, worker and console in one process with no role given', async () => {
  const dir = await tempDir('serve-all-pg');
  const url = await pg.createDatabase();
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 3, messages: 150 });
  const all = await startServe({ intervalSeconds: 1, args: ['--database', url, '--sandbox', tenant] });
  const db = await openDatabase({ url });
  try {
    await all.waitForStderr('serve --role all: running as');
    const deadline = Date.now() + 120_000;
    let pending = -1;
    let total = 0;
    while (Date.now() < deadline) {
      const rows = await db.selectFrom('raw_records').select('status').execute();
      total = rows.length;
      pending = rows.filter((r) => r.status === 'pending').length;
      if (total === 150 && pending === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect([total, pending]).toEqual([150, 0]);
    const items = await db.selectFrom('items').select('key').execute();
    expect(items.length).toBeGreaterThan(100);
    expect((await fetch(`${all.url}/api/health`)).status).toBe(200);
    const owners = await db.selectFrom('runs').select(['owner', 'status']).execute();
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.every((r) => r.owner !== null)).toBe(true);
  } finally {
    await db.destroy();
    await all.stop();
    await dir.cleanup();
  }
}, 240_000);
