/**
 * The WeCom source's lines of `connector check`: the service answers GetChatData (the secret is
 * accepted), each configured key decrypts a recent message of its version, every key version in
 * use is configured, and the directory API answers. Each failed line says what to do.
 */
import type { ConnectorConfig } from '../../config/index.js';
import { describeError } from '../../core/errors.js';
import type { SourceCheckLine } from '../types.js';
import type { EncryptedRecord, FinanceClient } from './client.js';
import { decryptRecord } from './decrypt-record.js';
import { directoryClientFor } from './directory-refresh.js';
import { loadKeyRing } from './keyring.js';

export interface FinanceCheckSetup {
  cfg: ConnectorConfig;
  client: FinanceClient;
  corpId: string;
  keysDir: string;
  keys?: { version: number; pem: string }[];
}

/** Recent records to test the keys on: after the cursor when there are new ones, else the oldest kept. */
async function sampleRecords(client: FinanceClient, cursor: string): Promise<EncryptedRecord[]> {
  const res = await client.getChatData(cursor, 200);
  if (res.errcode !== 0) throw new Error(`GetChatData answered errcode ${res.errcode}: ${res.errmsg}`);
  if ((res.chatdata ?? []).length > 0 || cursor === '0') return res.chatdata ?? [];
  return (await client.getChatData('0', 200)).chatdata ?? [];
}

export async function checkFinanceSource(s: FinanceCheckSetup, cursor: string | undefined): Promise<SourceCheckLine[]> {
  const lines: SourceCheckLine[] = [];
  const add = (check: string, ok: boolean, detail: string) => lines.push({ check, ok, detail });
  let records: EncryptedRecord[] = [];
  try {
    records = await sampleRecords(s.client, cursor ?? '0');
    add('secret', true, `the source answered GetChatData (${records.length} recent record(s) to test the keys on)`);
  } catch (err) {
    add('secret', false, describeError(err));
  }
  try {
    const ring = await loadKeyRing(s.keysDir, s.keys);
    // Every source's client answers DecryptData (the sandbox with its own scheme).
    const decrypt = (k: string, m: string) => s.client.decryptData(k, m);
    const byVersion = new Map<number, EncryptedRecord>();
    for (const r of records) if (!byVersion.has(r.publickey_ver)) byVersion.set(r.publickey_ver, r);
    for (const v of ring.versions()) {
      const r = byVersion.get(v);
      if (!r) {
        add(`key v${v}`, true, `loaded; no recent record uses it to test on`);
        continue;
      }
      try {
        await decryptRecord(r, ring, decrypt, s.corpId);
        add(`key v${v}`, true, `decrypts message ${r.msgid}`);
      } catch (err) {
        add(`key v${v}`, false, `${describeError(err)}; is this the private key of version ${v}?`);
      }
    }
    for (const v of byVersion.keys()) {
      if (!ring.has(v)) {
        add(
          `key v${v}`,
          false,
          `recent records use key version ${v}, which is not configured: add its private key as v${v}.pem`,
        );
      }
    }
  } catch (err) {
    add('keys', false, describeError(err));
  }
  const directory = directoryClientFor(s.cfg);
  if (directory) {
    try {
      const users = await directory.permitUsers();
      add('directory', true, `the directory API answered: ${users.length} employee(s) have archiving enabled`);
    } catch (err) {
      add('directory', false, describeError(err));
    }
  }
  return lines;
}
