// The writer lock's refusal names the holder, and the window in which a holder has the lock but
// no holder file (taking it, or letting it go) does not turn into a refusal that names nobody.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireWriterLock } from './writer-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-writer-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writer lock', () => {
  it('refuses at once naming the holder when it has recorded itself', async () => {
    const held = await acquireWriterLock(dir, { command: 'run --once' });
    const t0 = Date.now();
    await expect(acquireWriterLock(dir, { command: 'serve' })).rejects.toThrow(
      new RegExp(`process ${process.pid} on .*\\(\`run --once\`, since `),
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    await held.release();
  });

  it('takes the lock a holder lets go while its file is already gone, instead of refusing', async () => {
    const held = await acquireWriterLock(dir, { command: 'run --once' });
    // release() removes the file first: the moment a second process may look
    await unlink(join(dir, 'writer.lock.json'));
    const second = acquireWriterLock(dir, { command: 'serve' });
    setTimeout(() => void held.release(), 300);
    const got = await second;
    expect(got.holder.command).toBe('serve');
    await got.release();
  });

  it('refuses after a short grace when the holder never names itself', async () => {
    const held = await acquireWriterLock(dir, { command: 'run --once' });
    await unlink(join(dir, 'writer.lock.json'));
    const t0 = Date.now();
    await expect(acquireWriterLock(dir, { command: 'serve' })).rejects.toMatchObject({
      code: 'WXA_DATA_DIR_LOCKED',
      message: expect.stringContaining('it has not recorded itself yet'),
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    await held.release();
  });
});
