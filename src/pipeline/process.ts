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
import type { FetchedMedia, Source } from '../sources/types.js';
import { assembleMime } from '../render/index.js';
import {
  diskFull,
  findItemModel,
  seqFromKey,
  storedItemVersions,
  type StoredItemVersion,
  type PreparedBlob,
  type ProcessedRecord,
  type RawRecordRow,
  type Store,
} from '../store/index.js';
import { bump, type RunCounters } from './counters.js';
import type { PreparedMessage, PreparedResult, Preparer } from './decrypt.js';
import type { ConfiguredDestination } from './deliver.js';
import { contentDigest } from './content-digest.js';
import { holdReasonFor } from './hold-reasons.js';
import { hashAssembled } from './hash-assembled.js';
import { renderParts, summaryOf, type Lookups, type MappingOutcome } from './prepare.js';
import { recallTextOf } from '../compliance/search/message-text.js';
import { searchDocumentFor } from './search-row.js';
import { searchRowOf } from '../compliance/search/document.js';
import { flagsFor, type CompiledPolicy } from '../compliance/supervision/index.js';

export interface ConnectorRuntime {
  id: string;
  source: Source;
  directory: DirectorySnapshot;
  preparer: Preparer;
  /** the same lookups the preparer threads use, for what is finished on this thread */
  lookups: Lookups;
  /** external destinations (IMAP, Graph, Gmail); the embedded archive is always written */
  destinations: ConfiguredDestination[];
}

/**
 * State kept across the batches of one run, bounded whatever the run's size: what is committed
 * can be found in the store, so only recent messages are remembered.
 */
export interface RunState {
  /** short summaries of recent messages, for naming a recalled message (at most RECENT) */
  summaries: Map<string, string>;
  /** searchable text of recent messages, so a recall is found by what it recalled (at most RECENT) */
  recallTexts: Map<string, string>;
  unmapped: Set<string>;
  /** item keys of the batch being processed, not yet committed: the version that owns each */
  versions: Map<string, KeyOwner>;
  /** the enabled supervision policies, reloaded each batch so a change applies from the next one */
  supervision: CompiledPolicy[];
}

interface KeyOwner {
  rawId: number;
  seq: string;
  digest: string;
}

/** Recent messages remembered for recalls; a recall of an older one reads its original from the store. */
const RECENT = 4096;
/** Attachments downloaded at once within a batch: their I/O overlaps, their memory stays bounded. */
const MEDIA_CONCURRENCY = 8;

function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  // A Map iterates in insertion order: the first key is the oldest.
  if (map.size > RECENT) map.delete(map.keys().next().value!);
}

export function newRunState(): RunState {
  return { summaries: new Map(), recallTexts: new Map(), unmapped: new Set(), versions: new Map(), supervision: [] };
}

/**
 * How a record relates to the item its key names: it is that item's own record (new, or
 * processed again), an identical replay of it, or a different message under a reused msgid.
 */
type KeyClaim = { kind: 'own' } | { kind: 'identical'; owner: KeyOwner } | { kind: 'conflict'; owner: KeyOwner };

function claimKey(
  state: RunState,
  stored: Map<string, StoredItemVersion>,
  row: RawRecordRow,
  res: PreparedMessage,
): KeyClaim {
  const { msg, digest } = res;
  let owner = state.versions.get(msg.key);
  if (!owner) {
    const found = stored.get(msg.key);
    if (found) {
      owner = {
        rawId: found.rawId,
        seq: seqFromKey(found.seqKey),
        digest: contentDigest(JSON.parse(found.modelJson) as unknown),
      };
    }
  }
  if (!owner || owner.rawId === row.id) {
    state.versions.set(msg.key, { rawId: row.id, seq: msg.seq, digest });
    return { kind: 'own' };
  }
  return owner.digest === digest ? { kind: 'identical', owner } : { kind: 'conflict', owner: { ...owner } };
}

function conflictDetail(msg: ChatMessage, owner: KeyOwner, mimeSha256: string): string {
  return (
    `msgid ${msg.msgid} was archived from seq ${owner.seq} (content ${owner.digest.slice(0, 16)}); ` +
    `seq ${msg.seq} carries different content (${contentDigest(msg).slice(0, 16)}), kept as received ` +
    `with its rendering in blob ${mimeSha256}; compare the two and decide which is authoritative`
  );
}

/**
 * Processes a batch in three steps: every record claims its item key in order (the first of two
 * records with one key owns it), the media of those that need it is downloaded a few at a time,
 * then each is finished in order. A record's failure holds that record; a full disk stops the run.
 */
export async function processBatch(
  store: Store,
  rt: ConnectorRuntime,
  rows: RawRecordRow[],
  prepared: PreparedResult[],
  state: RunState,
  counters: RunCounters,
): Promise<ProcessedRecord[]> {
  const keys = prepared.flatMap((r) => (r.ok && !state.versions.has(r.msg.key) ? [r.msg.key] : []));
  const stored = await storedItemVersions(store.db, keys);
  const claims = rows.map((row, i) => {
    const res = prepared[i]!;
    return res.ok ? claimKey(state, stored, row, res) : undefined;
  });
  const media = await fetchBatchMedia(store, rt, prepared, claims, counters);
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
      const fetched = media[i];
      if (fetched instanceof Error) throw fetched;
      out.push(await finish(store, rt, row, res, claims[i]!, fetched ?? [], state, counters));
    } catch (err) {
      // A full disk is no fault of this record: the run stops, and this batch is not committed.
      const full = diskFull(err);
      if (full) throw full;
      const code = err instanceof ArchiverError ? err.code : 'WXA_PROCESS_FAILED';
      out.push(heldOrFailed(row.id, code, describeError(err), counters));
    }
  }
  return out;
}

/** The attachments of each record that will store them, downloaded MEDIA_CONCURRENCY at a time. */
async function fetchBatchMedia(
  store: Store,
  rt: ConnectorRuntime,
  prepared: PreparedResult[],
  claims: (KeyClaim | undefined)[],
  counters: RunCounters,
): Promise<(FetchedMedia[] | Error | undefined)[]> {
  const out: (FetchedMedia[] | Error | undefined)[] = new Array(prepared.length);
  const todo = prepared.flatMap((r, i) =>
    r.ok && !r.mime && claims[i]?.kind !== 'identical' && r.msg.attachments.length > 0 ? [i] : [],
  );
  const ctx = { store, connectorId: rt.id, now: Date.now };
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const i = todo[next++]!;
      const res = prepared[i] as PreparedMessage;
      try {
        const fetched: FetchedMedia[] = [];
        for (const ref of res.msg.attachments) fetched.push(await rt.source.fetchMedia(ref, ctx));
        out[i] = fetched;
      } catch (err) {
        out[i] = err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MEDIA_CONCURRENCY, todo.length) }, lane));
  // Counted in record order, whatever order the downloads finished in.
  for (const f of out) {
    if (!Array.isArray(f)) continue;
    for (const m of f) {
      if (m.size !== undefined) {
        counters.media.fetched++;
        counters.media.bytes += m.size;
      } else counters.media.unavailable++;
      if (m.write.status === 'md5-mismatch') counters.media.md5Mismatch++;
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
  res: PreparedMessage,
  claim: KeyClaim,
  fetched: FetchedMedia[],
  state: RunState,
  counters: RunCounters,
): Promise<ProcessedRecord> {
  const { msg, mapping } = res;
  if (claim.kind === 'identical') {
    // The same message again (the source replayed it): its content is archived, so it counts as
    // archived, and as a duplicate; nothing new is written.
    counters.archived++;
    counters.duplicates++;
    return { rawId: row.id, status: 'duplicate', blobs: [], media: [], entries: [], holds: [] };
  }
  let mimeBlob: PreparedBlob;
  if (res.mime) {
    const mime = Buffer.from(res.mime.buffer, res.mime.byteOffset, res.mime.byteLength);
    mimeBlob = await store.blobs.prepare(mime, 'mime', res.mimeSha256);
  } else {
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
  if (claim.kind === 'conflict') {
    // A reused msgid with other content: the item key belongs to the archived version, so this
    // one is held with its media and rendering stored (they outlive the source's retention).
    bump(counters.held, 'conflicting-duplicate');
    return {
      rawId: row.id,
      status: 'held',
      holdReason: 'conflicting-duplicate',
      blobs: [mimeBlob, ...fetched.flatMap((f) => (f.blob ? [f.blob] : []))],
      media: fetched.map((f) => f.write),
      entries: [],
      holds: [
        {
          reason: 'conflicting-duplicate',
          code: 'WXA_CONFLICTING_DUPLICATE',
          itemKey: msg.key,
          detail: conflictDetail(msg, claim.owner, mimeBlob.sha256),
        },
      ],
    };
  }
  remember(state.summaries, msg.msgid, res.summary);
  remember(state.recallTexts, msg.msgid, res.recallText);
  // A message without media was indexed on a prepare thread; one with media is indexed here.
  const doc =
    res.search?.doc ??
    (await searchDocumentFor(
      store,
      rt.id,
      msg,
      mapping,
      rt.lookups,
      fetched,
      msg.content.kind === 'revoke' ? state.recallTexts.get(msg.content.preMsgid) : undefined,
    ));
  const search = res.search?.row ?? searchRowOf(doc);
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
    item: itemWrite(msg, res, row, mimeBlob),
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
  remember(state.summaries, original.msgid, summaryOf(original));
  remember(state.recallTexts, original.msgid, recallTextOf(original.content));
}

function itemWrite(
  msg: ChatMessage,
  model: Pick<PreparedMessage, 'modelJson' | 'modelSha256'>,
  row: RawRecordRow,
  mime: { sha256: string; size: number },
) {
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
    modelJson: model.modelJson,
    modelSha256: model.modelSha256,
    mimeSha256: mime.sha256,
    mimeSize: mime.size,
    flags: msg.flags,
  };
}

export type { MappingOutcome };
