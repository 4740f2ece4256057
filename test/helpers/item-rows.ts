/**
 * Rows of the `items` table for store tests that insert them directly: message `i` of connector
 * `c` (key `wecom:c:m<i>`), a text sent at 1,000 + i with its MIME named `sha-<i>`; `over`
 * changes any field.
 */
import type { Insertable } from 'kysely';
import type { Database } from '../../src/store/schema.js';

export type ItemRow = Insertable<Database['items']>;

export function itemRow(i: number, over: Partial<ItemRow> = {}): ItemRow {
  return {
    key: `wecom:c:m${i}`,
    connector_id: 'c',
    raw_id: i,
    msgid: `m${i}`,
    seq_key: String(i).padStart(20, '0'),
    msgtype: 'text',
    action: 'send',
    conversation_id: 'x',
    room_id: '',
    from_id: 'a',
    msg_time: 1_000 + i,
    model_version: 1,
    model_json: '{}',
    mime_sha256: `sha-${i}`,
    mime_size: 100 + i,
    flags: '',
    recalled_by: null,
    recalled_at: null,
    created_at: 0,
    ...over,
  };
}
