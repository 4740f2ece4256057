// End to end through the CLI: counters add up, key rotation, a missing key version held and
// released when the key is added, malformed records held while the rest flows on, unmapped
// participants held and delivered once the mapping changes.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, readTenant, type TenantInfo } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';

interface Report {
  status: string;
  captured: number;
  fetched: number;
  archived: number;
  held: Record<string, number>;
  heldTotal: number;
  failed: number;
  deliveries: number;
  unmappedParticipants: number;
  flagged: Record<string, number>;
  released: { unmapped: number; keyMissing: number };
  mappingProblems: string[];
}

interface Status {
  connectors: {
    id: string;
    records: { done: number; held: number; failed: number; pending: number };
    holds: { reason: string; records: number; participants: number }[];
    unmapped: { participant: string; items: number }[];
  }[];
}

const MESSAGES = 400;
let dir: { path: string; cleanup: () => Promise<void> };
let tenant: TenantInfo;
let sandbox: string;
let config: string;
let employees: { id: string; email: string }[];

async function writeConfig(csv: string): Promise<void> {
  await writeFile(join(dir.path, 'mapping.csv'), csv);
  await writeFile(
    config,
    JSON.stringify({
      dataDir: join(dir.path, 'data'),
      workers: 0,
      connectors: [
        {
          id: 'bank',
          source: { kind: 'sandbox', dir: sandbox },
          mapping: { csv: 'mapping.csv', autoFromDirectoryEmail: false },
        },
      ],
    }),
  );
}

beforeAll(async () => {
  dir = await tempDir('holds');
  sandbox = join(dir.path, 'tenant');
  config = join(dir.path, 'config.json');
  await generateTenant({
    outDir: sandbox,
    seed: 11,
    messages: MESSAGES,
    faults: { missingKeyVersion: 3, malformed: 6 },
  });
  tenant = await readTenant(sandbox);
  employees = tenant.directory.people
    .filter((p) => p.kind === 'internal' && p.email)
    .map((p) => ({ id: p.id, email: p.email! }));
});

afterAll(async () => {
  await dir.cleanup();
});

describe('holds and re-evaluation', () => {
  it('counts every record once and holds what it cannot archive', async () => {
    // Half the employees mapped, plus a bad row that must not stop the good ones.
    const half = employees.slice(0, Math.ceil(employees.length / 2));
    await writeConfig(
      ['userid,mailbox', ...half.map((e) => `${e.id},${e.email}`), 'nobody,not-an-address'].join('\n') + '\n',
    );
    // Before anything runs, the check names the key version the records need and nobody configured.
    const check = await cli('connector', 'check', '--config', config);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('recent records use key version 3, which is not configured');
    expect(check.stdout).toMatch(/ok +key v1: decrypts message/);
    expect(check.stdout).toContain('FAIL mapping: 1 bad row(s)');

    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.status).toBe('succeeded');
    expect(r.captured).toBe(MESSAGES);
    expect(r.fetched).toBe(MESSAGES);
    expect(r.archived + r.heldTotal + r.failed).toBe(r.fetched);
    expect(r.failed).toBe(0);

    const missingKey = tenant.faults.filter((f) => f.kind === 'missing-key');
    const broken = tenant.faults.filter((f) => !f.recoverable);
    expect(missingKey).toHaveLength(3);
    expect(r.held['key-missing']).toBe(3);
    expect(r.held.malformed).toBe(broken.length);
    expect(r.held.unmapped).toBeGreaterThan(0);
    expect(r.unmappedParticipants).toBe(employees.length - half.length);
    // A body with control characters and invalid UTF-8 is cleaned and archived, flagged.
    const dirty = tenant.faults.filter((f) => f.kind === 'body-dirty').length;
    expect(r.flagged['cleaned-text'] ?? 0).toBe(dirty);
    const badLine = half.length + 2;
    expect(r.mappingProblems.some((p) => p.includes(`line ${badLine}:`) && p.includes('not-an-address'))).toBe(true);

    const s = await cliJson<Status>('status', '--config', config);
    const c = s.connectors[0]!;
    expect(c.records.done + c.records.held + c.records.failed).toBe(MESSAGES);
    expect(c.holds.find((h) => h.reason === 'unmapped')?.participants).toBe(employees.length - half.length);
    expect(c.unmapped.length).toBe(employees.length - half.length);

    // The report lists every problem item with its reason, like the reference's admin log.
    const report = await cliJson<{
      days: { atSource: number; archived: number }[];
      problems: { itemId: string; reason: string; sourceUser: string }[];
    }>('report', '--since', '2000-01-01', '--config', config);
    expect(report.days.reduce((a, d) => a + d.atSource, 0)).toBe(MESSAGES);
    const reasons = new Set(report.problems.map((p) => p.reason));
    expect([...reasons].sort()).toEqual(['key-missing', 'malformed', 'unmapped']);
    for (const f of tenant.faults.filter((x) => x.kind === 'missing-key')) {
      expect(report.problems.some((p) => p.itemId === f.msgid && p.reason === 'key-missing')).toBe(true);
    }
    const csv = await cli('report', '--since', '2000-01-01', '--csv', '--config', config);
    expect(csv.stdout.split('\r\n')[0]).toBe('item_id,source_user,target_mailbox,reason,detail,time');
    expect(csv.stdout.split('\r\n').length - 2).toBe(report.problems.length);
  });

  it('releases records held for a missing key when the key is added', async () => {
    await copyFile(join(sandbox, 'keys-withheld', 'v3.pem'), join(sandbox, 'keys', 'v3.pem'));
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.captured).toBe(0);
    expect(r.released.keyMissing).toBe(3);
    expect(r.held['key-missing'] ?? 0).toBe(0);
    expect(r.archived + r.heldTotal + r.failed).toBe(r.fetched);
  });

  it('delivers held items once the mapping covers their people', async () => {
    await writeConfig(['userid,mailbox', ...employees.map((e) => `${e.id},${e.email}`)].join('\n') + '\n');
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.released.unmapped).toBeGreaterThan(0);
    expect(r.held.unmapped ?? 0).toBe(0);
    expect(r.unmappedParticipants).toBe(0);

    const s = await cliJson<Status>('status', '--config', config);
    const c = s.connectors[0]!;
    const broken = tenant.faults.filter((f) => !f.recoverable).length;
    expect(c.records.held).toBe(broken);
    expect(c.records.done).toBe(MESSAGES - broken);
    expect(c.holds.map((h) => h.reason)).toEqual(['malformed']);
  });

  it('rebuilds a message whose attachment was streamed to disk, byte for byte', async () => {
    const db = new Database(join(dir.path, 'data', 'archive.db'), { readonly: true });
    const big = db
      .prepare('SELECT msgid, mime_size FROM items WHERE mime_size > 700000 ORDER BY mime_size DESC LIMIT 1')
      .get() as { msgid: string; mime_size: number } | undefined;
    db.close();
    expect(big, 'the tenant has a media file over one 512 KB chunk').toBeDefined();
    const shown = await cli('item', 'show', big!.msgid, '--mime', '--config', config);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.bytes.length).toBe(big!.mime_size);
    const mail = await simpleParser(shown.bytes);
    expect(Math.max(...mail.attachments.map((a) => a.size))).toBeGreaterThan(512 * 1024);
  });
});
