// `serve --role console` on PostgreSQL: the console alone, any number of them on one database.
// Two console processes (each with its own data directory, as on two machines) share the
// administrator set up through one and the session signed in through it: the other answers
// that session, and a sign-out through the other ends it for both. Sessions live in the
// database, so a load balancer may send a user to either.
import { afterAll, beforeAll, expect, it } from 'vitest';
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
  for (const c of [a, b]) expect(c.stderr()).toContain('serve --role console: running as');
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
