// `--database URL` / WXA_DATABASE_URL: a command that does not run on PostgreSQL yet refuses a
// PostgreSQL URL before it opens anything, naming itself, what is missing and what does run; a
// command that does run there connects; a URL of another scheme is refused as such; without one,
// SQLite as before.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { refusePostgresFor } from '../src/cli/database.js';
import { cli, emptyArchive, tempDir } from './helpers/cli.js';

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
  expect(r.stderr).toContain('backup: ');
  expect(r.stderr).toContain('pg_dump');
  expect(r.stderr).not.toContain('pw');
  // Any other command given a URL it cannot use names the commands that do run there. Every
  // command of this version runs on PostgreSQL but backup, so the message is checked directly.
  let message = '';
  try {
    refusePostgresFor('some command', { database: 'postgres://u:pw@127.0.0.1:1/archive' }, {});
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('some command: ');
  expect(message).toContain('backup and restore');
  expect(message).toContain('On PostgreSQL it runs run, status, report, item show, mailbox list, mailbox show, verify');
  expect(message).toContain('search, reindex');
  expect(message).toContain(
    'case create, case list, case show, case close, case reopen, hold add, hold list, hold release, export, export list, verify-export, serve',
  );
  expect(message).not.toContain('pw');
});

it('reads WXA_DATABASE_URL when no flag is given, for nested commands too', async () => {
  process.env.WXA_DATABASE_URL = 'postgresql://u@127.0.0.1:1/archive';
  const refused = await cli('backup', '--to', dir.path, '--data-dir', dir.path);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('WXA_STORE_SQLITE_ONLY');
  expect(refused.stderr).toContain('backup: ');
  // Commands that run on PostgreSQL try the server, which is not there.
  for (const args of [
    ['mailbox', 'list'],
    ['case', 'list'],
    ['serve', '--role', 'worker'],
  ]) {
    const tried = await cli(...args, '--data-dir', dir.path);
    expect(tried.code, args.join(' ')).toBe(1);
    expect(tried.stderr).toContain('WXA_DATABASE_UNAVAILABLE');
  }
});

it('refuses a URL of another scheme as such', async () => {
  const r = await cli('status', '--data-dir', dir.path, '--database', 'mysql://u@127.0.0.1/archive');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('WXA_DATABASE_URL_INVALID');
  expect(r.stderr).toContain('"mysql:"');
});

it('uses the SQLite archive in the data directory when no URL is given', async () => {
  delete process.env.WXA_DATABASE_URL;
  await emptyArchive(dir.path);
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
