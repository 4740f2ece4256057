/**
 * The items row of an archived record, as both spellings of the item transaction write it
 * (process.ts on SQLite, process-portable.ts on PostgreSQL) and the ingest log digests it.
 */
import type { ItemDigestFields } from './ingest-digest.js';
import type { ItemWrite } from './process.js';

export function itemRowOf(connectorId: string, rawId: number, i: ItemWrite, now: number): ItemDigestFields {
  return {
    key: i.key,
    connector_id: connectorId,
    raw_id: rawId,
    msgid: i.msgid,
    seq_key: i.seqKey,
    msgtype: i.msgtype,
    action: i.action,
    conversation_id: i.conversationId,
    room_id: i.roomId,
    from_id: i.fromId,
    msg_time: i.msgTime,
    model_version: i.modelVersion,
    model_json: i.modelJson,
    mime_sha256: i.mimeSha256,
    mime_size: i.mimeSize,
    flags: i.flags.join(','),
    created_at: now,
  };
}
