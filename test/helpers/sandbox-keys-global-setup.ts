/**
 * Vitest global setup: one set of sandbox keys for the whole run, in a temporary folder named by
 * `WXA_TEST_SANDBOX_KEYS`, which the test processes and the CLI processes they start inherit.
 * Every sandbox tenant generated without keys of its own then reads these instead of making three
 * fresh RSA-2048 keys (src/sources/sandbox/keys.ts says why).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYS_DIR, TEST_KEYS_VARIABLE, prepareKeys, writeKeys } from '../../src/sources/sandbox/keys.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[TEST_KEYS_VARIABLE]) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'wxa-sandbox-keys-'));
  await writeKeys(dir, await prepareKeys());
  process.env[TEST_KEYS_VARIABLE] = join(dir, KEYS_DIR);
  return () => rm(dir, { recursive: true, force: true });
}
