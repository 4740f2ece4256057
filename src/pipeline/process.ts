/**
 * Processing of captured records, a batch at a time: decrypt and parse (on worker threads),
 * fetch media, map participants to mailboxes, render, and build the one transaction that
 * stores the items, their blobs and mailbox entries together with each record's new status.
 * Any record can be processed again (after a crash, a key or a mapping change) with the same
 * result: item keys are stable, rendering is deterministic and every write is idempotent.
 */
import type { DirectorySnapshot } from '../core/directory.js';
import { describeError } from '../core/errors.js';
import { MODEL_VERSION, participantsOf, personKindOf, type ChatMessage, type Person } from '../core/model.js';
import type { Resolver } from '../mapping/index.js';
import { renderMime, type RenderContext } from '../render/index.js';
import type { FinanceClient } from '../sources/wecom/client.js';
import { findItemModel, type ProcessedRecord, type RawRecordRow, type Store } from '../store/index.js';
import { bump, type RunCounters } from './counters.js';
import type { Decryptor } from './decrypt.js';
import { fetchAttachment, type FetchedMedia } from './media.js';
import { holdReasonFor } from './hold-reasons.js';

export interface ConnectorRuntime {
  id: string;
  corpId: string;
  client: FinanceClient;
  directory: DirectorySnapshot;
  resolver: Resolver;
  decryptor: Decryptor;
  /** receives items that no participant maps to (instead of holding them) */
  catchAll?: string;
}

/** Per-run lookups built once from the directory. */
export interface RunLookups {
  people: Map<string, Person>;
  rooms: Map<string, string>;
  /** short summaries of recent messages, for naming a recalled message */
  summaries: Map<string, string>;
  unmapped: Set<string>;
}

export function buildLookups(dir: DirectorySnapshot): RunLookups {
  return {
    people: new Map(dir.people.map((p) => [p.id, p])),
    rooms: new Map(dir.rooms.map((r) => [r.id, r.name])),
    summaries: new Map(),
    unmapped: new Set(),
  };
}

export async function processBatch(
  store: Store,
  rt: ConnectorRuntime,
  rows: RawRecordRow[],
  lookups: RunLookups,
  counters: RunCounters,
): Promise<ProcessedRecord[]> {
  const decrypted = await rt.decryptor.decrypt(rows.map((r) => r.record_json));
  const out: ProcessedRecord[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const res = decrypted[i]!;
    counters.fetched++;
    if (!res.ok) {
      const reason = holdReasonFor(res.code);
      const base = { rawId: row.id, blobs: [], media: [], entries: [] };
      if (reason) {
        bump(counters.held, reason);
        out.push({
          ...base,
          status: 'held',
          holdReason: reason,
          errorCode: res.code,
          errorDetail: res.message,
          holds: [{ reason, code: res.code, detail: res.message }],
        });
      } else {
        counters.failed++;
        out.push({ ...base, status: 'failed', errorCode: res.code, errorDetail: res.message, holds: [] });
      }
      continue;
    }
    try {
      out.push(await processMessage(store, rt, row, res.msg, lookups, counters));
    } catch (err) {
      counters.failed++;
      out.push({
        rawId: row.id,
        status: 'failed',
        errorCode: 'WXA_PROCESS_FAILED',
        errorDetail: describeError(err),
        blobs: [],
        media: [],
        entries: [],
        holds: [],
      });
    }
  }
  return out;
}

async function processMessage(
  store: Store,
  rt: ConnectorRuntime,
  row: RawRecordRow,
  msg: ChatMessage,
  lookups: RunLookups,
  counters: RunCounters,
): Promise<ProcessedRecord> {
  const fetched: FetchedMedia[] = [];
  for (const ref of msg.attachments) {
    const f = await fetchAttachment(rt.client, store.blobs, ref);
    if (f.bytes) {
      counters.media.fetched++;
      counters.media.bytes += f.bytes.length;
    } else counters.media.unavailable++;
    if (f.write.status === 'md5-mismatch') counters.media.md5Mismatch++;
    fetched.push(f);
  }

  const entries: ProcessedRecord['entries'] = [];
  const holds: ProcessedRecord['holds'] = [];
  const addresses = new Map<string, string>();
  for (const id of participantsOf(msg)) {
    const r = rt.resolver.resolve(id);
    if (r.mailbox) {
      addresses.set(id, r.mailbox);
      if (!entries.some((e) => e.mailbox === r.mailbox)) {
        const p = lookups.people.get(id);
        entries.push({ mailbox: r.mailbox, displayName: p?.name ?? id });
      }
    } else if (personKindOf(id) === 'internal') {
      // Only employees have mailboxes to miss; external contacts and robots get their copy
      // through the employees in the conversation, unless the CSV maps them explicitly.
      holds.push({ reason: 'unmapped', participant: id, detail: `participant ${id} maps to no mailbox` });
      lookups.unmapped.add(id);
    }
  }

  if (entries.length === 0 && rt.catchAll) entries.push({ mailbox: rt.catchAll, displayName: 'Catch-all' });

  // The recalled original may be in this batch (not yet committed) or archived earlier, perhaps
  // by a process that has since crashed: look in both so the rendering does not depend on which.
  if (msg.content.kind === 'revoke' && !lookups.summaries.has(msg.content.preMsgid)) {
    const original = (await findItemModel(store.db, rt.id, msg.content.preMsgid)) as ChatMessage | undefined;
    if (original) lookups.summaries.set(original.msgid, summaryOf(original));
  }
  const ctx: RenderContext = {
    people: (id) => lookups.people.get(id),
    roomName: (id) => lookups.rooms.get(id),
    attachmentBytes: (i) => fetched[i]?.bytes,
    attachmentMissingReason: (i) => {
      const s = fetched[i]?.write.status;
      return s === 'expired' ? 'expired at the source' : s === 'missing' ? 'unknown to the source' : undefined;
    },
    addressOf: (id) => addresses.get(id),
    recalledSummary: (pre) => lookups.summaries.get(pre),
  };
  const mime = renderMime(msg, ctx);
  const mimeBlob = await store.blobs.prepare(mime, 'mime');
  lookups.summaries.set(msg.msgid, summaryOf(msg));

  bump(counters.byType, msg.msgtype);
  for (const f of msg.flags) bump(counters.flagged, f);
  const archived = entries.length > 0;
  if (archived) {
    counters.archived++;
    counters.deliveries += entries.length;
  } else {
    bump(counters.held, 'unmapped');
    if (holds.length === 0) {
      holds.push({ reason: 'unmapped', detail: 'no participant of this message maps to a mailbox' });
    }
  }
  return {
    rawId: row.id,
    status: archived ? 'done' : 'held',
    ...(archived ? {} : { holdReason: 'unmapped' }),
    item: {
      key: msg.key,
      msgid: msg.msgid,
      seqKey: row.seq_key,
      msgtype: msg.msgtype,
      action: msg.action,
      conversationId: msg.conversation.id,
      roomId: msg.roomid,
      fromId: msg.from,
      msgTime: msg.time,
      modelVersion: MODEL_VERSION,
      modelJson: JSON.stringify(msg),
      mimeSha256: mimeBlob.sha256,
      mimeSize: mimeBlob.size,
      flags: msg.flags,
    },
    blobs: [mimeBlob, ...fetched.flatMap((f) => (f.blob ? [f.blob] : []))],
    media: fetched.map((f) => f.write),
    entries,
    holds,
    ...(msg.content.kind === 'revoke'
      ? { recall: { preMsgid: msg.content.preMsgid, byMsgid: msg.msgid, at: msg.time } }
      : {}),
  };
}

function summaryOf(msg: ChatMessage): string {
  if (msg.content.kind === 'text') return msg.content.text.slice(0, 80);
  return `[${msg.msgtype}]`;
}
