// `serve --role`: a role other than `all` needs PostgreSQL, since the embedded SQLite archive has
// one writer; the refusal names why and what to do, before anything is opened. An unknown role
// is a usage error naming the roles there are.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
const saved = process.env.WXA_DATABASE_URL;

beforeEach(async () => {
  delete process.env.WXA_DATABASE_URL;
  dir = await tempDir('serve-role');
});

afterEach(async () => {
  if (saved !== undefined) process.env.WXA_DATABASE_URL = saved;
  await dir.cleanup();
});

it('refuses a capture, worker or console role on the SQLite archive, naming why', async () => {
  for (const role of ['capture', 'worker', 'console']) {
    const data = join(dir.path, role);
    const r = await cli('serve', '--role', role, '--data-dir', data, '--no-demo');
    expect(r.code, role).toBe(1);
    expect(r.stderr).toContain('WXA_SERVE_ROLE_SQLITE');
    expect(r.stderr).toContain(`serve --role ${role}: the embedded SQLite archive has one writer`);
    expect(r.stderr).toContain('WXA_DATABASE_URL');
    // Refused before the archive was created.
    expect(existsSync(join(data, 'archive.db')), role).toBe(false);
  }
});

it('names the roles there are when given another', async () => {
  const r = await cli('serve', '--role', 'everything', '--data-dir', dir.path, '--no-demo');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('serve: --role takes all, capture, worker, console, not "everything"');
});
