// `--database URL` / WXA_DATABASE_URL: a command that does not run on PostgreSQL yet refuses a
// PostgreSQL URL before it opens anything, naming itself, what is missing and what does run; a
// command that does run there connects; a URL of another scheme is refused as such; without one,
// SQLite as before.
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
  const r = await cli('case', 'list', '--data-dir', dir.path, '--database', 'postgres://u:pw@127.0.0.1:1/archive');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(r.stderr).toContain('case list: ');
  expect(r.stderr).toContain('backup and restore');
  expect(r.stderr).toContain(
    'On PostgreSQL it runs run, status, report, item show, mailbox list, mailbox show, verify',
  );
  expect(r.stderr).toContain('search, reindex');
  expect(r.stderr).not.toContain('pw');
});

it('reads WXA_DATABASE_URL when no flag is given, for nested commands too', async () => {
  process.env.WXA_DATABASE_URL = 'postgresql://u@127.0.0.1:1/archive';
  const refused = await cli('case', 'list', '--data-dir', dir.path);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(refused.stderr).toContain('case list: ');
  // A command that runs on PostgreSQL tries the server, which is not there.
  const tried = await cli('mailbox', 'list', '--data-dir', dir.path);
  expect(tried.code).toBe(1);
  expect(tried.stderr).toContain('WXA_DATABASE_UNAVAILABLE');
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

it('refuses backup on PostgreSQL before connecting, naming pg_dump and the blob store as the way to back it up', async () => {
  const r = await cli(
    'backup',
    '--to',
    dir.path,
    '--data-dir',
    dir.path,
    '--database',
    'postgres://u:pw@127.0.0.1:1/archive',
  );
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(r.stderr).toMatch(/backup: .*pg_dump.*blob store/);
  expect(r.stderr).not.toContain('WXA_DATABASE_UNAVAILABLE');
});
