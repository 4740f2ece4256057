// The batched delivery lane against a scripted destination that takes batches: rows not in
// doubt go together, rows in doubt are looked up one by one, an item refused inside a batch is
// held (or sent as a partial copy) while the rest are stored, and a batch refused as a whole
// (credentials) pauses the destination without counting attempts or losing a row.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../core/model.js';
import {
  DestinationError,
  type BatchResult,
  type DeliveryOutcome,
  type Destination,
  type RenderedItem,
} from '../destinations/types.js';
import { openStore, type Store } from '../store/index.js';
import { archiveItem, queueDelivery } from '../../test/helpers/deliveries.js';
import { deliverDue } from './deliver.js';

let dir: string;
let store: Store;
const clock = 1_000_000;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-deliver-batch-'));
  store = await openStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function seed(n: number, mailbox = 'a@x'): Promise<void> {
  for (let i = 0; i < n; i++) {
    const key = `wecom:corp:m${i}`;
    const model = { key, msgid: `m${i}`, from: 'a', attachments: [] } as unknown as ChatMessage;
    const mime = Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    await archiveItem(store, { key, messageId: `<${key}>`, mime, time: 1000 + i, model, attachments: [] }, i);
    await queueDelivery(store, { destinationId: 'imap:test', itemKey: key, mailbox });
  }
}

/** A destination that stores by (mailbox, key), takes batches, and refuses items as scripted. */
function batching(refuse: (item: RenderedItem) => DestinationError | undefined = () => undefined) {
  const stored = new Set<string>();
  const batches: number[] = [];
  const single: { key: string; inDoubt: boolean | undefined }[] = [];
  const store1 = (item: RenderedItem, mailbox: string): DeliveryOutcome => {
    const k = `${mailbox}|${item.key}`;
    if (stored.has(k)) return { status: 'duplicate' };
    stored.add(k);
    return { status: 'delivered', remoteId: String(stored.size) };
  };
  const dest: Destination = {
    kind: 'imap',
    check: async () => ({ ok: true, details: [] }),
    has: async (key, mailbox) => stored.has(`${mailbox}|${key}`),
    deliver: async (item, mailbox, hints) => {
      single.push({ key: item.key, inDoubt: hints?.inDoubt });
      const err = refuse(item);
      if (err) throw err;
      return store1(item, mailbox);
    },
    deliverBatch: async (items, mailbox): Promise<BatchResult[]> => {
      batches.push(items.length);
      return items.map((item) => {
        const err = refuse(item);
        return err ? { error: err } : { outcome: store1(item, mailbox) };
      });
    },
    close: async () => undefined,
  };
  return { dest, stored, batches, single };
}

const opts = { now: () => clock, random: () => 0.5 };
const one = (dest: Destination) => [{ id: 'imap:test', destination: dest, perMailbox: 1, overall: 1 }];

describe('batched delivery lane', () => {
  it('sends rows not in doubt as batches of a lease each, and looks rows in doubt up one by one', async () => {
    await seed(250);
    // Rows 0-9 were leased by a worker that died: in doubt.
    await store.db.updateTable('deliveries').set({ in_doubt: 1 }).where('item_key', 'in', keys(0, 10)).execute();
    const s = batching();
    const c = await deliverDue(store, one(s.dest), { ...opts, batch: 100 });
    expect(c.delivered).toBe(250);
    expect(s.stored.size).toBe(250);
    expect(s.single).toHaveLength(10);
    expect(s.single.every((x) => x.inDoubt === true)).toBe(true);
    expect(s.batches.reduce((a, b) => a + b, 0)).toBe(240);
    expect(Math.max(...s.batches)).toBe(100);
    const rows = await store.db.selectFrom('deliveries').select(['status', 'in_doubt', 'remote_id']).execute();
    expect(rows.every((r) => r.status === 'delivered' && r.in_doubt === 0 && r.remote_id !== null)).toBe(true);
  });

  it('holds the one item the destination refuses inside a batch, with its reason, and stores the rest', async () => {
    await seed(30);
    const s = batching((item) =>
      item.key.endsWith(':m7') ? new DestinationError('permanent', 'the mailbox is over its quota') : undefined,
    );
    const c = await deliverDue(store, one(s.dest), opts);
    expect(c.delivered).toBe(29);
    expect(c.held).toEqual({ 'destination-refused': 1 });
    expect(s.stored.has('a@x|wecom:corp:m7')).toBe(false);
    const holds = await store.db.selectFrom('holds').selectAll().execute();
    expect(holds).toHaveLength(1);
    expect(holds[0]!.detail).toContain('over its quota');
  });

  it('sends a partial copy of an item whose attachment the destination refuses inside a batch', async () => {
    await seed(5);
    const s = batching((item) =>
      item.key.endsWith(':m2') && !item.mime.toString().includes('reduced')
        ? new DestinationError('permanent', 'blocked file type', { refused: [{ index: 0, reason: 'blocked-type' }] })
        : undefined,
    );
    const rerender = () => Buffer.from('Subject: reduced\r\n\r\nreduced\r\n');
    const c = await deliverDue(store, one(s.dest), { ...opts, rerender });
    expect(c.delivered).toBe(4);
    expect(c.partial).toBe(1);
    // The copy without the attachments went on its own, as a delivery not in doubt.
    expect(s.single).toEqual([{ key: 'wecom:corp:m2', inDoubt: false }]);
  });

  it('retries the one item whose stored message is damaged and sends the rest of its batch', async () => {
    await seed(30);
    const item = await store.db
      .selectFrom('items')
      .select('mime_sha256')
      .where('key', '=', 'wecom:corp:m4')
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('blobs')
      .set({ data: Buffer.from('Subject: 4\r\n\r\naltered\r\n') })
      .where('sha256', '=', item.mime_sha256)
      .execute();
    const s = batching();
    const c = await deliverDue(store, one(s.dest), opts);
    expect(c.delivered).toBe(29);
    expect(c.retried).toBe(1);
    expect(s.stored.has('a@x|wecom:corp:m4')).toBe(false);
    expect(s.batches).toEqual([29]);
    const row = await store.db
      .selectFrom('deliveries')
      .select(['status', 'attempts', 'in_doubt', 'error_detail'])
      .where('item_key', '=', 'wecom:corp:m4')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, in_doubt: 1 });
    expect(row.error_detail).toContain('does not match its SHA-256');
  });

  it('pauses on refused credentials without counting attempts; the next run looks each row up first', async () => {
    await seed(20);
    let refuse = true;
    const s = batching(() => (refuse ? new DestinationError('auth', 'LOGIN failed') : undefined));
    const c = await deliverDue(store, one(s.dest), opts);
    expect(c.paused).toEqual(['imap:test']);
    expect(s.stored.size).toBe(0);
    expect(c.held).toEqual({});
    const rows = await store.db.selectFrom('deliveries').select(['status', 'attempts', 'lease_owner']).execute();
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0 && r.lease_owner === null)).toBe(true);
    refuse = false;
    const again = await deliverDue(store, one(s.dest), opts);
    expect(again.delivered).toBe(20);
    expect(s.stored.size).toBe(20);
  });
});

function keys(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `wecom:corp:m${from + i}`);
}
