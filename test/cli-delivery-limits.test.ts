// `status` and `report` say what the mail services' limits did: deliveries paused (per mailbox,
// or every mailbox of a destination) with when they resume, not counted as failures; and each
// attachment left out of a partial delivery with why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferDeliveries, finishDelivery, openStore, upsertConnector } from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { queueDelivery } from './helpers/deliveries.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('cli-limits');
  const store = await openStore(dir.path);
  try {
    const now = Date.now();
    await upsertConnector(store.db, { id: 'acme', name: 'ACME', sourceKind: 'sandbox' }, now);
    const partial = await queueDelivery(store, {
      connectorId: 'acme',
      destinationId: 'gmail',
      itemKey: 'wecom:acme:m1',
      mailbox: 'zhang.wei@example.com',
      createdAt: now,
    });
    await finishDelivery(
      store.db,
      partial,
      {
        status: 'partial',
        detail: 'left out',
        omitted: [{ name: 'setup.exe', size: 5000, sha256: 'c'.repeat(64), reason: 'blocked-type' }],
      },
      now,
    );
    await queueDelivery(store, {
      connectorId: 'acme',
      destinationId: 'gmail',
      itemKey: 'wecom:acme:m2',
      mailbox: 'li.si@example.com',
      createdAt: now,
    });
    await deferDeliveries(store.db, {
      destinationId: 'gmail',
      mailbox: 'li.si@example.com',
      until: now + 5 * 3600_000,
      code: 'WXA_DEST_PAUSED_MAILBOX',
      detail: 'daily upload limit',
    });
  } finally {
    await store.close();
  }
});
afterEach(async () => dir.cleanup());

describe('status and report: limits of the mail services', () => {
  it('status shows the paused mailbox with when it resumes, and the partial deliveries', async () => {
    const human = await cli('status', '--data-dir', dir.path);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/paused: gmail -> li\.si@example\.com: 1 deliveries wait until \d{4}-/);
    expect(human.stdout).toContain('partial deliveries: 1');
    const json = await cliJson<{ connectors: { pausedDeliveries: unknown[]; partialDeliveries: number }[] }>(
      'status',
      '--data-dir',
      dir.path,
    );
    expect(json.connectors[0]?.pausedDeliveries).toEqual([
      expect.objectContaining({ destinationId: 'gmail', mailbox: 'li.si@example.com', deliveries: 1 }),
    ]);
    expect(json.connectors[0]?.partialDeliveries).toBe(1);
  });

  it('report lists each attachment left out with why, in every format', async () => {
    const since = new Date(Date.now() - 3600_000).toISOString();
    const human = await cli('report', '--since', since, '--data-dir', dir.path);
    expect(human.stdout).toContain('1 attachment(s) left out of partial deliveries');
    expect(human.stdout).toMatch(/setup\.exe\s+5000\s+a file type the mail service refuses/);
    const json = await cliJson<{ partial: unknown[] }>('report', '--since', since, '--data-dir', dir.path);
    expect(json.partial).toEqual([
      expect.objectContaining({
        targetMailbox: 'zhang.wei@example.com',
        attachment: 'setup.exe',
        reason: 'blocked-type',
      }),
    ]);
    const csv = await cli('report', '--since', since, '--csv', '--data-dir', dir.path);
    expect(csv.stdout).toContain('partial-blocked-type');
  });
});
