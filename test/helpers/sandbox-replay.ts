/**
 * Appends given decrypted messages to a sandbox tenant as the real archive would send them
 * (fresh key string, RSA under the newest key version, seq after the last record), including
 * msgids already in the tenant: how a source that replays or reuses a msgid looks to capture.
 * The generator's `--include` refuses repeated msgids on purpose, so this lives with the tests.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHATDATA_FILE, readTenant } from '../../src/sources/sandbox/index.js';
import { loadTenantKey } from '../../src/sources/sandbox/keys.js';
import { encryptRecord, plaintextOf } from '../../src/sources/sandbox/records.js';

export async function appendDecrypted(dir: string, messages: Record<string, unknown>[]): Promise<void> {
  const info = await readTenant(dir);
  const newest = info.keyVersions.filter((k) => !k.withheld).sort((a, b) => b.version - a.version)[0]!;
  const key = await loadTenantKey(dir, newest.version, newest.file);
  const path = join(dir, CHATDATA_FILE);
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  let seq = lines.length ? BigInt((JSON.parse(lines[lines.length - 1]!) as { seq: string }).seq) : 0n;
  const out = messages.map((m) =>
    JSON.stringify(encryptRecord(++seq, String(m.msgid), newest.version, key.publicKey, plaintextOf(m))),
  );
  await appendFile(path, out.join('\n') + '\n');
}
