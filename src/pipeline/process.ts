/**
 * Processing of captured records, a batch at a time: the preparer (worker threads) decrypts,
 * parses, maps and renders; this module fetches media, renders what needed it, and builds the
 * one transaction that stores the items, their blobs and mailbox entries together with each
 * record's new status. Any record can be processed again (after a crash, a key or a mapping
 * change) with the same result: item keys are stable, rendering is deterministic and every
 * write is idempotent.
 */
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError, describeError } from '../core/errors.js';
import { MODEL_VERSION, type ChatMessage } from '../core/model.js';
import type { FinanceClient } from '../sources/wecom/client.js';
import { assembleMime } from '../render/index.js';
import {
  findItemModel,
  type PreparedBlob,
  type ProcessedRecord,
  type RawRecordRow,
  type Store,
} from '../store/index.js';
import { bump, type RunCounters } from './counters.js';
import type { PreparedResult, Preparer } from './decrypt.js';
import type { ConfiguredDestination } from './deliver.js';
import { holdReasonFor } from './hold-reasons.js';
import { fetchAttachment, type FetchedMedia } from './media.js';
import { hashAssembled } from './hash-assembled.js';
import { renderParts, summaryOf, type Lookups, type MappingOutcome } from './prepare.js';
import { recallTextOf } from '../compliance/search/message-text.js';
import { searchDocumentFor } from './search-row.js';
import { searchRowOf } from '../compliance/search/document.js';
import { flagsFor, type CompiledPolicy } from '../compliance/supervision/index.js';

export interface ConnectorRuntime {
  id: string;
  corpId: string;
  client: FinanceClient;
  directory: DirectorySnapshot;
  preparer: Preparer;
  /** the same lookups the preparer threads use, for what is finished on this thread */
  lookups: Lookups;
  /** external destinations (IMAP, Graph, Gmail); the embedded archive is always written */
  destinations: ConfiguredDestination[];
}

/** State kept across the batches of one run. */
export interface RunState {
  /** short summaries of recent messages, for naming a recalled message */
  summaries: Map<string, string>;
  /** searchable text of recent messages, so a recall is found by what it recalled */
  recallTexts: Map<string, string>;
  unmapped: Set<string>;
  /** the enabled supervision policies, reloaded each batch so a change applies from the next one */
  supervision: CompiledPolicy[];
}

export function newRunState(): RunState {
  return { summaries: new Map(), recallTexts: new Map(), unmapped: new Set(), supervision: [] };
}

export async function processBatch(
  store: Store,
  rt: ConnectorRuntime,
  rows: RawRecordRow[],
  prepared: PreparedResult[],
  state: RunState,
  counters: RunCounters,
): Promise<ProcessedRecord[]> {
  const out: ProcessedRecord[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const res = prepared[i]!;
    counters.fetched++;
    if (!res.ok) {
      out.push(heldOrFailed(row.id, res.code, res.message, counters));
      continue;
    }
    try {
      out.push(await finish(store, rt, row, res, state, counters));
    } catch (err) {
      const code = err instanceof ArchiverError ? err.code : 'WXA_PROCESS_FAILED';
      out.push(heldOrFailed(row.id, code, describeError(err), counters));
    }
  }
  return out;
}

function heldOrFailed(rawId: number, code: string, message: string, counters: RunCounters): ProcessedRecord {
  const reason = holdReasonFor(code);
  const base = { rawId, blobs: [], media: [], entries: [], errorCode: code, errorDetail: message };
  if (!reason) {
    counters.failed++;
    return { ...base, status: 'failed', holds: [] };
  }
  bump(counters.held, reason);
  return { ...base, status: 'held', holdReason: reason, holds: [{ reason, code, detail: message }] };
}

async function finish(
  store: Store,
  rt: ConnectorRuntime,
  row: RawRecordRow,
  res: Extract<PreparedResult, { ok: true }>,
  state: RunState,
  counters: RunCounters,
): Promise<ProcessedRecord> {
  const { msg, mapping } = res;
  const fetched: FetchedMedia[] = [];
  let mimeBlob: PreparedBlob;
  if (res.mime) {
    const mime = Buffer.from(res.mime.buffer, res.mime.byteOffset, res.mime.byteLength);
    mimeBlob = await store.blobs.prepare(mime, 'mime', res.mimeSha256);
  } else {
    const media = { store, client: rt.client, connectorId: rt.id, now: Date.now };
    for (const ref of msg.attachments) {
      const f = await fetchAttachment(media, ref);
      if (f.size !== undefined) {
        counters.media.fetched++;
        counters.media.bytes += f.size;
      } else counters.media.unavailable++;
      if (f.write.status === 'md5-mismatch') counters.media.md5Mismatch++;
      fetched.push(f);
    }
    if (msg.content.kind === 'revoke') await rememberOriginal(store, rt.id, msg.content.preMsgid, state);
    const parts = renderParts(msg, mapping, rt.lookups, {
      attachmentBytes: (i) => fetched[i]?.bytes,
      attachmentSize: (i) => fetched[i]?.size,
      attachmentMissingReason: (i) => {
        const s = fetched[i]?.write.status;
        return s === 'expired' ? 'expired at the source' : s === 'missing' ? 'unknown to the source' : undefined;
      },
      recalledSummary: (pre) => state.summaries.get(pre),
    });
    if (!parts.chunks.some((c) => typeof c === 'number')) {
      mimeBlob = await store.blobs.prepare(
        assembleMime(parts, () => undefined),
        'mime',
      );
    } else {
      // Single-instance storage: a message with media is kept as a skeleton pointing at the media
      // blobs, so the media bytes are stored once, not again base64-encoded inside every copy.
      // Its address is the hash of the whole message, computed without holding large files.
      const whole = await hashAssembled(parts, (i) => fetched[i]!, store);
      mimeBlob = store.blobs.prepareSkeleton(
        whole,
        parts.chunks.map((c) => (typeof c === 'number' ? { media: fetched[c]!.blob!.sha256 } : c)),
        'mime',
      );
    }
  }
  state.summaries.set(msg.msgid, summaryOf(msg));
  state.recallTexts.set(msg.msgid, recallTextOf(msg.content));
  const doc = await searchDocumentFor(
    store,
    rt.id,
    msg,
    mapping,
    rt.lookups,
    fetched,
    msg.content.kind === 'revoke' ? state.recallTexts.get(msg.content.preMsgid) : undefined,
  );
  const search = searchRowOf(doc);
  const supervision = flagsFor(state.supervision, doc);

  bump(counters.byType, msg.msgtype);
  for (const f of msg.flags) bump(counters.flagged, f);
  for (const u of mapping.unmapped) state.unmapped.add(u);
  const holds = [...mapping.holds];
  const archived = mapping.entries.length > 0;
  if (archived) {
    counters.archived++;
    counters.deliveries += mapping.entries.length;
  } else {
    bump(counters.held, 'unmapped');
    if (holds.length === 0)
      holds.push({ reason: 'unmapped', detail: 'no participant of this message maps to a mailbox' });
  }
  return {
    rawId: row.id,
    status: archived ? 'done' : 'held',
    ...(archived ? {} : { holdReason: 'unmapped' }),
    item: itemWrite(msg, row, mimeBlob),
    search,
    ...(supervision.length > 0 ? { supervision } : {}),
    blobs: [mimeBlob, ...fetched.flatMap((f) => (f.blob ? [f.blob] : []))],
    media: fetched.map((f) => f.write),
    entries: mapping.entries,
    holds,
    ...(msg.content.kind === 'revoke'
      ? { recall: { preMsgid: msg.content.preMsgid, byMsgid: msg.msgid, at: msg.time } }
      : {}),
  };
}

/**
 * The recalled original may be in this run (not yet committed) or archived earlier, perhaps by
 * a process that has since crashed: look in both so the rendering does not depend on which.
 */
async function rememberOriginal(store: Store, connectorId: string, msgid: string, state: RunState): Promise<void> {
  if (state.summaries.has(msgid) && state.recallTexts.has(msgid)) return;
  const original = (await findItemModel(store.db, connectorId, msgid)) as ChatMessage | undefined;
  if (!original) return;
  state.summaries.set(original.msgid, summaryOf(original));
  state.recallTexts.set(original.msgid, recallTextOf(original.content));
}

function itemWrite(msg: ChatMessage, row: RawRecordRow, mime: { sha256: string; size: number }) {
  return {
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
    mimeSha256: mime.sha256,
    mimeSize: mime.size,
    flags: msg.flags,
  };
}

export type { MappingOutcome };
