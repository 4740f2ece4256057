// Rows the delivery stage works from, written straight into a test's store: an archived item
// (its MIME blob and model) and a pending delivery of it into a mailbox of a destination.
import type { ChatMessage } from '../../src/core/model.js';
import type { RenderedItem } from '../../src/destinations/types.js';
import type { Store } from '../../src/store/index.js';

/** Archives a rendered item as the pipeline would (connector `c`), with its MIME as a blob. */
export async function archiveItem(store: Store, item: RenderedItem, n: number, connectorId = 'c'): Promise<void> {
  const blob = await store.blobs.prepare(item.mime, 'mime');
  await store.db
    .insertInto('blobs')
    .values({ ...blob, created_at: 0 })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await store.db
    .insertInto('items')
    .values({
      key: item.key,
      connector_id: connectorId,
      raw_id: n,
      msgid: item.model.msgid,
      seq_key: String(n).padStart(20, '0'),
      msgtype: item.model.msgtype || 'text',
      action: 'send',
      conversation_id: 'x',
      room_id: '',
      from_id: item.model.from ?? '',
      msg_time: item.time,
      model_version: 1,
      model_json: JSON.stringify(item.model),
      mime_sha256: blob.sha256,
      mime_size: blob.size,
      flags: '',
      recalled_by: null,
      recalled_at: null,
      created_at: 0,
    })
    .execute();
}

/** A pending delivery, due at once; returns its id. */
export async function queueDelivery(
  store: Store,
  row: { destinationId: string; itemKey: string; mailbox: string; connectorId?: string; createdAt?: number },
): Promise<number> {
  const inserted = await store.db
    .insertInto('deliveries')
    .values({
      connector_id: row.connectorId ?? 'c',
      destination_id: row.destinationId,
      item_key: row.itemKey,
      mailbox: row.mailbox,
      status: 'pending',
      attempts: 0,
      next_attempt_at: 0,
      lease_owner: null,
      lease_until: null,
      error_code: null,
      error_detail: null,
      remote_id: null,
      created_at: row.createdAt ?? 0,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** `n` small archived items `wecom:corp:m<i>`, each with a delivery due to mailbox a@x of destination imap:test. */
export async function seedDeliveries(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const key = `wecom:corp:m${i}`;
    const model = { key, msgid: `m${i}`, from: 'a', attachments: [] } as unknown as ChatMessage;
    const mime = Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    await archiveItem(store, { key, messageId: `<${key}>`, mime, time: 1000 + i, model, attachments: [] }, i);
    await queueDelivery(store, { destinationId: 'imap:test', itemKey: key, mailbox: 'a@x' });
  }
}
