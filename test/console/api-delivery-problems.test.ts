// The problems API lists what a mailbox copy lacks and what waits: each attachment left out of
// a partial delivery with why (too large, blocked type), and deliveries paused by a mail
// service's limit, per mailbox or for the whole destination. Neither is a held failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemsResponse } from '../../src/server/contract.js';
import { finishDelivery, deferDeliveries } from '../../src/store/index.js';
import { queueDelivery } from '../helpers/deliveries.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('problems API', (t) => {
  let h: ConsoleHarness;
  let admin: Client;

  beforeAll(async () => {
    h = await startConsoleOn(t);
    admin = await userWith(h, 'dora', ['connector-admin']);
  });
  afterAll(async () => h.close());

  const delivery = (destinationId: string, itemKey: string, mailbox: string) =>
    queueDelivery(h.store, { connectorId: 'acme', destinationId, itemKey, mailbox, createdAt: Date.now() });

  describe('GET /api/problems: partial and paused deliveries', () => {
    it('lists each attachment left out with why, and the pauses with their scope and end', async () => {
      const partial = await delivery('gmail', 'wecom:acme:m1', 'zhang.wei@example.com');
      const omitted = [
        { name: 'wechat-mod.apk', size: 1200, sha256: 'a'.repeat(64), reason: 'blocked-type' },
        { name: 'site-visit.mp4', size: 62_914_560, sha256: 'b'.repeat(64), reason: 'too-large' },
      ];
      await finishDelivery(h.store.db, partial, { status: 'partial', detail: 'two left out', omitted }, Date.now());
      await delivery('gmail', 'wecom:acme:m2', 'li.si@example.com');
      await delivery('gmail', 'wecom:acme:m3', 'wang.fang@example.com');
      await delivery('graph', 'wecom:acme:m2', 'li.si@example.com');
      const until = Date.now() + 3 * 3600_000;
      await deferDeliveries(h.store.db, {
        destinationId: 'graph',
        mailbox: 'li.si@example.com',
        until,
        code: 'WXA_DEST_PAUSED_MAILBOX',
        detail: 'daily upload limit',
      });
      await deferDeliveries(h.store.db, {
        destinationId: 'gmail',
        until: until - 1000,
        code: 'WXA_DEST_PAUSED_DESTINATION',
        detail: 'rateLimitExceeded',
      });

      const problems = await admin.json<ProblemsResponse>('GET', '/api/problems?connectorId=acme');
      expect(problems.partial).toEqual([
        expect.objectContaining({
          destinationId: 'gmail',
          itemKey: 'wecom:acme:m1',
          mailbox: 'zhang.wei@example.com',
          attachments: omitted,
        }),
      ]);
      expect(problems.paused).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ destinationId: 'gmail', mailbox: null, deliveries: 2, until: until - 1000 }),
          expect.objectContaining({ destinationId: 'graph', mailbox: 'li.si@example.com', deliveries: 1, until }),
        ]),
      );
      expect(problems.paused).toHaveLength(2);
      // Neither is a held failure.
      expect(problems.groups).toEqual([]);
    });
  });
});
