// One writer per PostgreSQL archive: a second process is refused naming the holder (or waits
// with --wait), the holder's release lets the next one in, and a holder killed with SIGKILL
// blocks nobody: the server ends its session and the session's advisory lock with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../test/helpers/postgres.js';
import { openDatabase } from './db.js';
import { getSetting } from './settings.js';
import { acquireDatabaseWriterLock, WRITER_HOLDER_SETTING } from './writer-lock-postgres.js';

let pg: PostgresCluster;
let url: string;

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase();
  await (await openDatabase({ url })).destroy(); // migrated: the holder is kept in settings
}, 120_000);

afterAll(async () => {
  await pg?.stop();
});

/** Another process holding the lock; resolves once it says it holds it. */
async function holder(command: string): Promise<ChildProcess> {
  const entry = join(import.meta.dirname, '../../test/helpers/hold-database-lock.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, url, command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    proc.once('exit', (code) => reject(new Error(`lock holder exited ${code}: ${err}`)));
  });
  return proc;
}

describe("the PostgreSQL archive's writer lock", () => {
  it('refuses a second writer naming the holder, and lets the next in once released', async () => {
    const first = await acquireDatabaseWriterLock(url, { command: 'run --once' });
    expect(JSON.parse((await getSettingOf(WRITER_HOLDER_SETTING))!)).toMatchObject({ pid: process.pid });
    const started = Date.now();
    await expect(acquireDatabaseWriterLock(url, { command: 'serve', waitMs: 300, pollMs: 50 })).rejects.toMatchObject({
      code: 'WXA_DATA_DIR_LOCKED',
      message: expect.stringContaining(`process ${process.pid} on `) as unknown,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // A writer waiting for it gets it when the holder releases.
    const waiting = acquireDatabaseWriterLock(url, { command: 'serve', waitMs: 10_000, pollMs: 50 });
    setTimeout(() => void first.release(), 200);
    const second = await waiting;
    expect(JSON.parse((await getSettingOf(WRITER_HOLDER_SETTING))!)).toMatchObject({ command: 'serve' });
    await second.release();
    expect(await getSettingOf(WRITER_HOLDER_SETTING)).toBeUndefined();
  });

  it('is not blocked by a holder killed with SIGKILL', async () => {
    const victim = await holder('run --once');
    await expect(acquireDatabaseWriterLock(url, { command: 'serve' })).rejects.toMatchObject({
      message: expect.stringContaining(`process ${victim.pid} on `) as unknown,
    });
    const gone = new Promise((resolve) => victim.once('exit', (_c, signal) => resolve(signal)));
    victim.kill('SIGKILL');
    expect(await gone).toBe('SIGKILL');
    const next = await acquireDatabaseWriterLock(url, { command: 'serve', waitMs: 10_000, pollMs: 50 });
    expect(next.holder.pid).toBe(process.pid);
    await next.release();
  }, 60_000);
});

async function getSettingOf(key: string): Promise<string | undefined> {
  const db = await openDatabase({ url });
  try {
    return await getSetting(db, key);
  } finally {
    await db.destroy();
  }
}
