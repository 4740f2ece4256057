/**
 * One batch of an export's items: their rows in one query, their stored messages a slice at a
 * time (one query per slice, a slice bounded in bytes so memory stays flat whatever the items'
 * sizes), the EML files or mbox entries written, and the journal lines that will name them once
 * the caller has made the files durable. RSMF and PDF only get their paths here: their files
 * are written from the journal once every item is in it.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { crashPoint } from '../../core/fault-points.js';
import { syncfsAvailable } from '../../core/syncfs.js';
import { ArchiverError } from '../../core/errors.js';
import { exportItemRows, type ExportItemRow, type ExportKeyPage, type Store } from '../../store/index.js';
import { bareAddress, loadHeaders } from './headers.js';
import type { JournalHeader, WrittenItem } from './journal.js';
import { checkedPieces, headPiece, messageBytes, writeMessageFile } from './message-io.js';
import { mboxrdEntry } from './mboxrd.js';
import { controlNumber, custodianFolder, pdfBasePath, RsmfPaths } from './names.js';
import { KnownDirs, writeWholeSync } from './write-util.js';

/**
 * Message bytes read at once: a slice of a batch ends once its messages reach this size. 4 MB,
 * not 16: with the export's memory kept for reuse (no trims), each thread's glibc heap grows to
 * what a slice and its base64 lines need at once; at 16 MB an EML export of 100,000 items
 * peaked at 280-290 MB RSS, at 4 MB at 265-282 MB, no slower beyond the noise.
 */
const SLICE_BYTES = 4 << 20;

export interface BatchContext {
  out: string;
  store: Store;
  header: JournalHeader;
  dirs: KnownDirs;
  /** mbox: where each custodian's file ends */
  mboxEnd: Map<string, number>;
  rsmfPaths: RsmfPaths;
  /** the folder an item's files go in: its first mailbox's (custodianFolder), found once per mailbox */
  custodianFolder: (mailbox: string | undefined) => string;
  controlNumber: (n: number) => string;
}

/** Mailboxes whose folder names a writer keeps; past this the names are found again (memory stays bounded). */
const FOLDERS_KEPT = 10_000;

/**
 * custodianFolder, remembered per mailbox: every item asked for its folder's name (a regular
 * expression over its mailbox) and its folder's path (a path joined and then looked up among the
 * folders made), each a new string to build and hash, for the few thousand custodians an export
 * has.
 */
function folderNames(): (mailbox: string | undefined) => string {
  const kept = new Map<string | undefined, string>();
  return (mailbox) => {
    let folder = kept.get(mailbox);
    if (folder === undefined) {
      folder = custodianFolder(mailbox);
      if (kept.size >= FOLDERS_KEPT) kept.clear();
      kept.set(mailbox, folder);
    }
    return folder;
  };
}

/**
 * A writer's context for the export into `out`: on the export's own thread with what a resumed
 * export has read back from its journal (where each mbox ends, the RSMF files' paths so far); on
 * a writing thread (EML only) fresh.
 */
export function batchContext(
  out: string,
  store: Store,
  header: JournalHeader,
  resumed: Pick<BatchContext, 'mboxEnd' | 'rsmfPaths'> = {
    mboxEnd: new Map(),
    rsmfPaths: new RsmfPaths(custodianFolder),
  },
): BatchContext {
  return { out, store, header, dirs: new KnownDirs(), ...resumed, custodianFolder: folderNames(), controlNumber };
}

export interface BatchDone {
  /** in list order, each with the headers its load-file row takes (not journaled) */
  items: WrittenItem[];
  /**
   * files written (absolute paths), to be made durable before the items are journaled. Where
   * syncfs(2) makes them durable (one sync of the file system), an EML batch names only its
   * first: the rest would be 500 paths a batch made, and sent from a writing thread, for nothing.
   */
  files: string[];
}

/** Cuts rows into slices of at most SLICE_BYTES of messages (at least one row each). */
function slices(rows: ExportItemRow[]): ExportItemRow[][] {
  const out: ExportItemRow[][] = [];
  let cur: ExportItemRow[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (cur.length && bytes + r.mimeSize > SLICE_BYTES) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += r.mimeSize;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Exports the items of `page` (numbered from `first`). */
export async function exportBatch(ctx: BatchContext, first: number, page: ExportKeyPage): Promise<BatchDone> {
  const { out, store, header } = ctx;
  const { keys } = page;
  const byKey = await exportItemRows(store.db, keys, header.reviewSetId ?? undefined, page.rowids ?? undefined);
  const rows = keys.map((key) => {
    const row = byKey.get(key);
    if (!row)
      throw new ArchiverError(
        'WXA_EXPORT_FAILED',
        `item ${key} was deleted after the export began; export again into a new directory`,
      );
    return row;
  });
  const done: BatchDone = { items: [], files: [] };
  /** EML: the folder of the custodians' folders, one string for the batch's every item */
  const natives = join(out, 'NATIVES');
  for (const [i, slice] of slices(rows).entries()) {
    // Back to the event loop between slices: on the export's own thread, the journal's sync and
    // the next batch's key list wait for it, and a whole batch (500 items, some 50-70 ms of
    // work) kept them waiting while the writers were held at the journal's window.
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const messages = await store.blobs.readMessages(
      store.db,
      slice.map((r) => r.mimeSha256),
    );
    for (const row of slice) {
      const msg = messages.get(row.mimeSha256)!;
      const n = first + done.items.length;
      const item = journalItem(ctx.controlNumber(n), n, row, headPiece(msg));
      const folder = ctx.custodianFolder(row.mailboxes[0]);
      if (header.format === 'eml') {
        // A file is written before its journal line and whole again on resume when its line is
        // missing, so no rename is needed.
        item.path = `NATIVES/${folder}/${item.controlNumber}.eml`;
        const file = `${out}/${item.path}`;
        // checked before it is written; a medium too large to hold is streamed and checked as it goes
        const pieces = checkedPieces(msg);
        // A custodian's folder is made once, by a plain system call: through the thread pool
        // each cost a hand-off and a promise, and the file had to wait for it anyway.
        ctx.dirs.ensureFolder(natives, folder);
        // Written by plain system calls on this thread: handing each file's open, write and
        // close to the thread pool cost more CPU (a thread wake-up and a callback each) than the
        // calls themselves, and on shared cores that CPU decides the export's time.
        if (pieces) writeWholeSync(file, pieces);
        else await writeMessageFile(file, msg, store.blobs.objects);
        if (done.files.length === 0 || !syncfsAvailable()) done.files.push(file);
      } else if (header.format === 'pdf') {
        // written once every item is journaled, a transcript per conversation (or day)
        item.path = pdfBasePath(folder, item);
        if (row.recalledBy !== null) item.recalledBy = row.recalledBy;
      } else if (header.format === 'rsmf') {
        // written once every item is journaled, a file per conversation and day
        item.path = ctx.rsmfPaths.next(item);
        if (row.recalledBy !== null) item.recalledBy = row.recalledBy;
      } else if (header.format === 'mbox') {
        item.path = `MBOX/${folder}.mbox`;
        const entry = mboxrdEntry(await messageBytes(msg, store.blobs.objects), bareAddress(item.from), row.msgTime);
        ctx.dirs.ensureSync(join(out, 'MBOX'));
        appendFileSync(join(out, item.path), entry);
        item.end = (ctx.mboxEnd.get(item.path) ?? 0) + entry.length;
        ctx.mboxEnd.set(item.path, item.end);
        if (!done.files.includes(join(out, item.path))) done.files.push(join(out, item.path));
      }
      done.items.push(item);
      // a kill here leaves files (or mbox entries) the journal does not name yet: resume redoes them
      crashPoint('export-item');
    }
  }
  return done;
}

/** An item as written, but for its path (the format decides it): its journal line and its load-file headers. */
function journalItem(controlNumber: string, n: number, row: ExportItemRow, head: Buffer): WrittenItem {
  const h = loadHeaders(head);
  return {
    n,
    controlNumber,
    itemKey: row.key,
    msgid: row.msgid,
    mimeSha256: row.mimeSha256,
    bytes: row.mimeSize,
    path: '',
    custodians: row.mailboxes,
    from: h.from,
    to: h.to,
    subject: h.subject,
    dateSent: new Date(row.msgTime).toISOString(),
    conversation: row.conversationId,
    msgtype: row.msgtype,
    tags: row.tags,
  };
}
