// Hardening of the console's doors: a refused login answers the same whether the account is
// unknown, locked, disabled or the password wrong (and takes as long), while the lockout still
// holds and is audited; the setup token is checked before any password hashing; index.html is
// revalidated on every load; nothing frames the app; HSTS once served over HTTPS; only the build
// directory's own files are ever sent.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../src/compliance/audit/index.js';
import { createUser, hashPassword, issueSetupToken, MAX_FAILED_LOGINS, updateUser } from '../../src/security/index.js';
import { buildApp } from '../../src/server/app.js';
import { HSTS } from '../../src/server/headers.js';
import { tempDir } from '../helpers/cli.js';
import { PASSWORD, startConsole, type ConsoleHarness } from '../helpers/console.js';
import { rawRequest } from '../helpers/raw-http.js';

const SPA_MARKER = 'hardening-index-marker';
const SECRET = 'outside-the-build-directory';

let h: ConsoleHarness;
let site: { path: string; cleanup: () => Promise<void> };
let webRoot: string;

beforeAll(async () => {
  // The build directory with a file beside it that must never be served.
  site = await tempDir('hardening-web');
  webRoot = join(site.path, 'dist');
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(webRoot, 'index.html'), `<!doctype html><title>${SPA_MARKER}</title>`);
  await writeFile(join(webRoot, 'assets', 'app-1234.js'), 'console.log("app")');
  await writeFile(join(site.path, 'secret.txt'), SECRET);
  h = await startConsole({ webRoot });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await site?.cleanup();
});

const login = (app: FastifyInstance, username: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('login refusals', () => {
  it('answer alike for unknown, locked, disabled and wrong-password accounts; the lockout still holds', async () => {
    const now = Date.now();
    await createUser(h.store.db, { username: 'locked', displayName: 'L', password: PASSWORD, roles: ['auditor'] }, now);
    await createUser(h.store.db, { username: 'known', displayName: 'K', password: PASSWORD, roles: ['auditor'] }, now);
    const off = await createUser(
      h.store.db,
      { username: 'off', displayName: 'O', password: PASSWORD, roles: ['auditor'] },
      now,
    );
    await updateUser(h.store.db, off.id, { disabled: true }, now);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await login(h.app, 'locked', 'wrong password here');

    const answers = [
      ['unknown account', await login(h.app, 'nobody-here', PASSWORD)],
      ['locked, right password', await login(h.app, 'locked', PASSWORD)],
      ['locked, wrong password', await login(h.app, 'locked', 'wrong password here')],
      ['known, wrong password', await login(h.app, 'known', 'wrong password here')],
      ['disabled, right password', await login(h.app, 'off', PASSWORD)],
    ] as const;
    const [, first] = answers[0];
    for (const [what, res] of answers) {
      expect(res.statusCode, what).toBe(401);
      expect(res.body, what).toBe(first.body);
      expect(res.json().code, what).toBe('WXA_LOGIN_FAILED');
      expect(res.headers['set-cookie'], what).toBeUndefined();
      expect(Object.keys(res.headers).sort(), what).toEqual(Object.keys(first.headers).sort());
    }
    // The lockout held above (the right password did not open "locked"); each refusal is
    // audited with its true reason, for the operator rather than the caller.
    const events = await listAudit(h.store.db, { action: 'auth.login-failed', limit: 100 });
    const reasons = events.events.filter((e) => e.target === 'locked').map((e) => e.detail.reason);
    expect(reasons.filter((r) => r === 'locked').length).toBeGreaterThanOrEqual(3);
    expect(events.events.find((e) => e.target === 'nobody-here')?.detail.reason).toBe('invalid');
    expect(events.events.find((e) => e.target === 'off')?.detail.reason).toBe('disabled');
  });

  it('take as long for a locked account as for an unknown one (both spend one scrypt)', async () => {
    const unknown: number[] = [];
    const locked: number[] = [];
    for (let i = 0; i < 8; i++) {
      let t = performance.now();
      await login(h.app, `unknown-${i}`, PASSWORD);
      unknown.push(performance.now() - t);
      t = performance.now();
      await login(h.app, 'locked', PASSWORD);
      locked.push(performance.now() - t);
    }
    // A locked account that skipped the hash would answer in a few ms against tens of ms (ratio
    // under 0.1); the bounds are wide because the machine running tests may be shared.
    const ratio = median(locked) / median(unknown);
    expect(ratio, `locked ${median(locked).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(
      0.33,
    );
    expect(ratio).toBeLessThan(3);
  }, 60_000);
});

describe('first-administrator setup', () => {
  it('checks the token before the password, and hashes nothing for a wrong token', async () => {
    // The production hashing cost: the suite's lower one is too cheap to time a refusal against.
    vi.stubEnv('WXA_TEST_SCRYPT_LOG2N', '');
    const fresh = await startConsole();
    try {
      const token = (await issueSetupToken(fresh.store.db, Date.now()))!;
      const body = { username: 'admin', displayName: 'Admin', password: 'a long enough password' };
      const weak = await fresh.app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { ...body, password: 'short', token: 'wrong' },
      });
      // A wrong token is the answer, not the weak password: the password was not looked at.
      expect(weak.statusCode, weak.body).toBe(403);
      expect(weak.json().code).toBe('WXA_SETUP_TOKEN');

      // A wrong token costs no scrypt: compare with one hash measured in the same run.
      const hashing: number[] = [];
      const refused: number[] = [];
      for (let i = 0; i < 5; i++) {
        let t = performance.now();
        await hashPassword(body.password);
        hashing.push(performance.now() - t);
        t = performance.now();
        const r = await fresh.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: `x${i}` } });
        refused.push(performance.now() - t);
        expect(r.statusCode).toBe(403);
      }
      expect(
        median(refused),
        `refused ${median(refused).toFixed(1)} ms, one hash ${median(hashing).toFixed(1)} ms`,
      ).toBeLessThan(median(hashing) / 2);
      // The right token still works afterwards: the refusals spent nothing.
      const ok = await fresh.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token } });
      expect(ok.statusCode, ok.body).toBe(200);
    } finally {
      vi.unstubAllEnvs();
      await fresh.close();
    }
  }, 60_000);
});

describe('web app and API headers', () => {
  it('serve index.html no-cache, build files cacheable, and frame nothing', async () => {
    for (const url of ['/', '/index.html', '/mailboxes/a%40b.com/items', '/audit?x=1']) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain(SPA_MARKER);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
    const asset = await h.app.inject({ url: '/assets/app-1234.js' });
    expect(asset.body).toBe('console.log("app")');
    expect(asset.headers['cache-control']).toBe('public, max-age=3600');
    for (const url of ['/api/health', '/api/users', '/api/nothing-here']) {
      const res = await h.app.inject({ url });
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });

  it('never send a file from outside the build directory, however the path is spelled', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as { port: number }).port;
    for (const target of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/assets%2F..%2F..%2Fsecret.txt',
      '/..\\secret.txt',
      '/%252e%252e/secret.txt',
    ]) {
      const res = await rawRequest(port, 'GET', target);
      expect(res.body, target).not.toContain(SECRET);
    }
  });

  it('send HSTS on every answer when the console is served over HTTPS', async () => {
    const app = await buildApp({ store: h.store, config: h.config, secrets: h.secrets, webRoot, secureCookies: true });
    try {
      for (const url of ['/', '/assets/app-1234.js', '/api/health', '/api/users', '/api/nothing', '/API/users']) {
        const res = await app.inject({ url });
        expect(res.headers['strict-transport-security'], url).toBe(HSTS);
      }
      expect(HSTS).toBe('max-age=31536000; includeSubDomains');
      const logged = await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'x', password: 'y' },
      });
      expect(logged.headers['strict-transport-security']).toBe(HSTS);
    } finally {
      await app.close();
    }
  });
});
