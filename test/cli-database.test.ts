// `--database URL` / WXA_DATABASE_URL: a command given a PostgreSQL URL refuses before it opens
// anything (the pipeline's SQLite-only paths would otherwise fail half-way), naming itself and
// what is missing; a URL of another scheme is refused as such; without one, SQLite as before.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
const saved = process.env.WXA_DATABASE_URL;

beforeEach(async () => {
  dir = await tempDir('cli-database');
});

afterEach(async () => {
  if (saved === undefined) delete process.env.WXA_DATABASE_URL;
  else process.env.WXA_DATABASE_URL = saved;
  await dir.cleanup();
});

it('refuses a PostgreSQL URL with WXA_STORE_SQLITE_ONLY before connecting, naming the command', async () => {
  // Nothing listens on port 1: a command that tried to connect would report WXA_DATABASE_UNAVAILABLE.
  const r = await cli('status', '--data-dir', dir.path, '--database', 'postgres://u:pw@127.0.0.1:1/archive');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(r.stderr).toContain('status: ');
  expect(r.stderr).toContain('capture and record processing');
  expect(r.stderr).not.toContain('pw');
});

it('reads WXA_DATABASE_URL when no flag is given, for nested commands too', async () => {
  process.env.WXA_DATABASE_URL = 'postgresql://u@127.0.0.1:1/archive';
  const r = await cli('mailbox', 'list', '--data-dir', dir.path);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(r.stderr).toContain('mailbox list: ');
});

it('refuses a URL of another scheme as such', async () => {
  const r = await cli('status', '--data-dir', dir.path, '--database', 'mysql://u@127.0.0.1/archive');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_DATABASE_URL_INVALID');
  expect(r.stderr).toContain('"mysql:"');
});

it('uses the SQLite archive in the data directory when no URL is given', async () => {
  delete process.env.WXA_DATABASE_URL;
  const r = await cli('status', '--data-dir', dir.path, '--json');
  expect(r.stderr).not.toContain('WXA_');
  expect(r.code).toBe(0);
});
