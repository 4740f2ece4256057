import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTsa, type TestTsa } from '../../../test/helpers/tsa.js';
import { requestTimestamp, verifyTimestamp } from './tsa.js';

const run = promisify(execFile);
let tsa: TestTsa;
let other: TestTsa;

beforeAll(async () => {
  [tsa, other] = await Promise.all([startTestTsa(), startTestTsa()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([tsa?.close(), other?.close()]);
});

describe('RFC 3161 time-stamps from a real OpenSSL TSA', () => {
  it('gets a reply that pkijs and openssl ts -verify both accept for the same bytes', async () => {
    const data = Buffer.from('{"statement":1}');
    const reply = await requestTimestamp(tsa.url, data);
    const ca = await readFile(tsa.caFile, 'utf8');
    const check = await verifyTimestamp(reply, data, ca);
    expect(check, check.reason).toMatchObject({ ok: true });
    expect(Math.abs(Date.parse(check.genTime!) - Date.now())).toBeLessThan(120_000);
    const dir = await mkdtemp(join(tmpdir(), 'wxa-tsa-check-'));
    try {
      await writeFile(join(dir, 'data'), data);
      await writeFile(join(dir, 'reply.tsr'), reply);
      const { stdout } = await run('openssl', [
        'ts',
        '-verify',
        '-data',
        join(dir, 'data'),
        '-in',
        join(dir, 'reply.tsr'),
        '-CAfile',
        tsa.caFile,
      ]);
      expect(stdout).toContain('Verification: OK');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a reply for other bytes, and one signed under an untrusted CA', async () => {
    const data = Buffer.from('one');
    const reply = await requestTimestamp(tsa.url, data);
    const ca = await readFile(tsa.caFile, 'utf8');
    expect(await verifyTimestamp(reply, Buffer.from('two'), ca)).toMatchObject({ ok: false });
    const otherCa = await readFile(other.caFile, 'utf8');
    const foreign = await verifyTimestamp(reply, data, otherCa);
    expect(foreign.ok).toBe(false);
    expect(foreign.reason).toMatch(/chain|signature/);
  });

  it('refuses a reply with a flipped byte, and says when the TSA cannot be reached', async () => {
    const data = Buffer.from('x');
    const reply = await requestTimestamp(tsa.url, data);
    const bad = Buffer.from(reply);
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 0xff;
    expect((await verifyTimestamp(bad, data, await readFile(tsa.caFile, 'utf8'))).ok).toBe(false);
    await expect(requestTimestamp('http://127.0.0.1:1/tsa', data, 2000)).rejects.toMatchObject({
      code: 'WXA_TSA_FAILED',
    });
  });
});
