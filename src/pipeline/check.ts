/**
 * `connector check`: verifies, without archiving anything, that a connector can work: the
 * source answers (the vendor library loads and the secret is accepted), each configured key
 * decrypts a recent message of its version, every key version in use is configured, the
 * directory API answers, the mapping file reads, and each destination accepts our credentials.
 * Every failed line says exactly what is wrong and what to do.
 */
import type { ConnectorConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import { decryptRecord } from '../sources/wecom/index.js';
import type { EncryptedRecord, FinanceClient } from '../sources/wecom/client.js';
import type { Db } from '../store/index.js';
import { buildConnector, type RuntimeSecrets } from './connector.js';
import { loadKeyRing } from './decrypt.js';
import { directoryClientFor } from './directory-refresh.js';

export interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
}

export interface CheckReport {
  connectorId: string;
  ok: boolean;
  lines: CheckLine[];
}

/** Recent records to test the keys on: after the cursor when there are new ones, else the oldest kept. */
async function sampleRecords(client: FinanceClient, cursor: string): Promise<EncryptedRecord[]> {
  const res = await client.getChatData(cursor, 200);
  if (res.errcode !== 0) throw new Error(`GetChatData answered errcode ${res.errcode}: ${res.errmsg}`);
  if ((res.chatdata ?? []).length > 0 || cursor === '0') return res.chatdata ?? [];
  return (await client.getChatData('0', 200)).chatdata ?? [];
}

export async function checkConnector(
  cfg: ConnectorConfig,
  opts: { db?: Db; cursor?: string; secrets?: RuntimeSecrets },
): Promise<CheckReport> {
  const lines: CheckLine[] = [];
  const add = (check: string, ok: boolean, detail: string) => lines.push({ check, ok, detail });
  let built: Awaited<ReturnType<typeof buildConnector>> | undefined;
  try {
    built = await buildConnector(cfg, {
      workers: 0,
      ...(opts.db ? { db: opts.db } : {}),
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
    });
    add(
      'source',
      true,
      cfg.source.kind === 'wecom' ? `library ${cfg.source.sdkLibrary} configured` : 'sandbox tenant opened',
    );
  } catch (err) {
    add('source', false, describeError(err));
    return { connectorId: cfg.id, ok: false, lines };
  }
  try {
    const rt = built.runtime;
    let records: EncryptedRecord[] = [];
    try {
      records = await sampleRecords(rt.client, opts.cursor ?? '0');
      add('secret', true, `the source answered GetChatData (${records.length} recent record(s) to test the keys on)`);
    } catch (err) {
      add('secret', false, describeError(err));
    }
    try {
      const ring = await loadKeyRing(built.keysDir, built.keys);
      // Every source's client answers DecryptData (the sandbox with its own scheme).
      const decrypt = (k: string, m: string) => rt.client.decryptData(k, m);
      const byVersion = new Map<number, EncryptedRecord>();
      for (const r of records) if (!byVersion.has(r.publickey_ver)) byVersion.set(r.publickey_ver, r);
      for (const v of ring.versions()) {
        const r = byVersion.get(v);
        if (!r) {
          add(`key v${v}`, true, `loaded; no recent record uses it to test on`);
          continue;
        }
        try {
          await decryptRecord(r, ring, decrypt, rt.corpId);
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
    const directory = directoryClientFor(cfg);
    if (directory) {
      try {
        const users = await directory.permitUsers();
        add('directory', true, `the directory API answered: ${users.length} employee(s) have archiving enabled`);
      } catch (err) {
        add('directory', false, describeError(err));
      }
    }
    add(
      'mapping',
      built.mappingProblems.length === 0,
      built.mappingProblems.length === 0
        ? 'the mapping reads without problems'
        : `${built.mappingProblems.length} bad row(s); first: ${built.mappingProblems[0]}`,
    );
    for (const d of rt.destinations) {
      try {
        const r = await d.destination.check();
        add(`destination ${d.id}`, r.ok, r.details.join('; '));
      } catch (err) {
        add(`destination ${d.id}`, false, describeError(err));
      }
    }
  } finally {
    await built.close();
  }
  return { connectorId: cfg.id, ok: lines.every((l) => l.ok), lines };
}
