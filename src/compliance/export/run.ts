/**
 * Runs an export: resolves the selection once (kept in the journal, so a resumed export exports
 * the same items with the same control numbers), streams each item's archived bytes to its file
 * (EML: one file per item in a folder per custodian; mbox: one mboxrd file per custodian), then
 * writes the load files and the manifest from the journal and audits the export with the
 * manifest's SHA-256. Memory holds one batch of items at a time, whatever the export's size: the
 * key list, the journal and the manifest are written and read as streams.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { checkNewDir, dirRefused } from '../../core/out-dir.js';
import { reviewSetSize, type Store } from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import {
  BatchThread,
  defaultBatchThreads,
  StartingThread,
  writeBatches,
  type BatchThreadData,
  type BatchWriter,
} from './batch-threads.js';
import { batchContext, exportBatch, type BatchContext } from './batch-write.js';
import {
  cutJournal,
  JOURNAL_VERSION,
  openJournal,
  readHeader,
  readKeys,
  writeHeader,
  type JournalHeader,
  type JournalItem,
} from './journal.js';
import { syncfsAvailable } from '../../core/syncfs.js';
import { journalPass, PassWriter, type JournalPass } from './load-files-write.js';
import { writeManifest } from './manifest.js';
import { syncExport, syncFiles } from './write-util.js';
import { custodianFolder, RsmfPaths } from './names.js';
import { loadPdfFont, type PdfFontSetting } from './pdf-font.js';
import { resolveSelection, type ExportRequest } from './selection.js';
import type { ExportProgress } from './job-types.js';

export type { ExportProgress } from './job-types.js';

export const EXPORT_FORMATS = ['eml', 'mbox', 'rsmf', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  exportId: string;
  outDir: string;
  manifest: string;
  manifestSha256: string;
  counts: { items: number; files: number; bytes: number };
  resumed: boolean;
}

const OUT_TODO = 'export into a new or empty directory';
/** Items per batch: a batch's files are made durable, then journaled, together. */
const BATCH = 500;

export interface RunExportRequest extends ExportRequest {
  format: ExportFormat;
  outDir: string;
  actor: string;
  ip?: string;
  /** a caller's id for the export (the console's job id); otherwise one is made and journaled */
  exportId?: string;
  /** items per batch (journaled together); the default suits every export, tests use small ones */
  batchItems?: number;
  /**
   * EML and RSMF: threads writing files besides the export's own (default: defaultBatchThreads,
   * by the cores and the export's size; 0 writes every file on the export's own thread)
   */
  threads?: number;
  /** PDF: the font setting (config `export`) */
  pdfFont?: PdfFontSetting;
  onProgress?: (p: ExportProgress) => void;
  /**
   * Called once the export's selection is journaled (or read back, when it resumes), before any
   * item is written: its id, as the journal and manifest carry it (none in the journal of an
   * export begun by a build before ids were journaled). A failure fails the export.
   */
  onStart?: (started: { exportId: string | undefined; resumed: boolean; items: number }) => Promise<void>;
}

export { controlNumber, custodianFolder } from './names.js';

async function sameRequest(h: JournalHeader, req: ExportRequest, format: string): Promise<boolean> {
  return (
    h.format === format &&
    h.caseId === (req.caseId ?? null) &&
    h.reviewSetId === (req.reviewSetId ?? null) &&
    h.query === (req.query ?? null) &&
    JSON.stringify(h.tags) === JSON.stringify([...(req.tags ?? [])].sort())
  );
}

/**
 * Threads started before the selection is resolved, so that they load and open the archive (some
 * 0.3-0.5 s each) while the export's own thread sorts the selection: for a new EML export of a
 * review set whose size (with a tag filter, its upper bound) already calls for them by default.
 * Any other export starts its threads once its selection is known (batchWriters).
 */
async function earlyThreads(store: Store, req: RunExportRequest, size: number): Promise<Promise<BatchThread>[]> {
  if (req.format !== 'eml' || !store.location || req.threads !== undefined) return [];
  if (req.reviewSetId === undefined || req.query !== undefined) return [];
  return startThreads(store, req.outDir, defaultBatchThreads(await reviewSetSize(store.db, req.reviewSetId), size));
}

/** `n` writing threads starting for the export into `out`, each with its own connection to the archive. */
function startThreads(store: Store, out: string, n: number): Promise<BatchThread>[] {
  const data: BatchThreadData = { location: store.location!, out };
  return Array.from({ length: n }, () => {
    const t = BatchThread.start(data);
    // a thread that cannot start is seen by whoever takes it (it takes no batch, or fails an
    // export that asked for it), not as an unhandled rejection before then
    t.catch(() => undefined);
    return t;
  });
}

/** Closes threads that were started and will take no batch. */
async function closeUnused(threads: readonly Promise<BatchThread>[]): Promise<void> {
  await Promise.allSettled(threads.map(async (t) => (await t).close()));
}

/**
 * Who writes the batches: the export's own thread, and for an EML export of some size threads of
 * their own too, each with its own connection to the archive (`early`: started already, see
 * earlyThreads). A store that cannot tell how it was opened, or threads by default that cannot
 * start, leave every batch to the export's own thread; threads asked for that cannot start fail
 * the export before it writes anything.
 */
async function batchWriters(
  store: Store,
  ctx: BatchContext,
  items: number,
  size: number,
  threads: number | undefined,
  early: readonly Promise<BatchThread>[],
): Promise<BatchWriter[]> {
  const own: BatchWriter = {
    depth: 1,
    write: async (first, page) => exportBatch(ctx, first, page),
    close: async () => undefined,
  };
  const n = ctx.header.format === 'eml' && store.location ? (threads ?? defaultBatchThreads(items, size)) : 0;
  const begun = (t: BatchThread): BatchThread => {
    t.begin(ctx.header);
    return t;
  };
  if (n <= 0) {
    await closeUnused(early);
    return [own];
  }
  // by default the threads join as they start, and one that cannot start leaves its share to the others
  if (threads === undefined) {
    await closeUnused(early.slice(n));
    const starting = early.length ? early.slice(0, n) : startThreads(store, ctx.out, n);
    return [own, ...starting.map((t) => new StartingThread(t.then(begun)))];
  }
  return [own, ...(await askedThreads(store, ctx.out, n)).map(begun)];
}

/**
 * `n` threads asked for by name (`--threads N`), started before any work: they must run, so one
 * that cannot start fails the export before it writes anything.
 */
async function askedThreads(store: Store, out: string, n: number): Promise<BatchThread[]> {
  const started = await Promise.allSettled(startThreads(store, out, n));
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (ok.length < n) {
    await Promise.all(ok.map(async (t) => t.close()));
    const why = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')!.reason as Error;
    throw new ArchiverError(
      'WXA_EXPORT_FAILED',
      `the export's ${n} writing threads could not start (${why.message}); run it with --threads 0 to write every file on the export's own thread`,
      { cause: why },
    );
  }
  return ok;
}

export async function runExport(store: Store, req: RunExportRequest, now = Date.now): Promise<ExportResult> {
  const out = req.outDir;
  // Before anything is written: a PDF export without a CJK font fails at once, with what to do.
  const font = req.format === 'pdf' ? await loadPdfFont(req.pdfFont) : undefined;
  const progress = req.onProgress ?? (() => undefined);
  let header = await readHeader(out);
  const resumed = header !== undefined;
  // What is done already (a resumed export's journal); for mbox, where each custodian's file must end.
  let next = 0;
  const mboxEnd = new Map<string, number>();
  const rsmfPaths = new RsmfPaths(custodianFolder);
  const size = req.batchItems ?? BATCH;
  let early: Promise<BatchThread>[] = [];
  if (header) {
    if (!(await sameRequest(header, req, req.format)))
      throw new ArchiverError(
        'WXA_INPUT_INVALID',
        `--out ${out} holds an export of something else (${header.format}, case ${header.caseId ?? '-'}, query ${header.query ?? '-'}); choose an empty directory`,
      );
    // the journal's good lines, read once: where the export goes on, and for mbox and RSMF what
    // their writers need to know of the items done
    const format = header.format;
    next = await cutJournal(out, (d) => {
      if (d.end !== undefined) mboxEnd.set(d.path, d.end);
      if (format === 'rsmf') rsmfPaths.next(d);
    });
  } else {
    await checkNewDir('--out', out, OUT_TODO);
    early = await earlyThreads(store, req, size);
    try {
      const sel = await resolveSelection(store, req);
      await mkdir(out, { recursive: true }).catch((err: unknown) => {
        throw dirRefused('--out', out, 'cannot be created', OUT_TODO, err);
      });
      header = await writeHeader(
        out,
        (items): JournalHeader => ({
          version: JOURNAL_VERSION,
          exportId: req.exportId ?? randomUUID(),
          format: req.format,
          caseId: req.caseId ?? null,
          caseName: sel.caseName,
          reviewSetId: req.reviewSetId ?? null,
          query: req.query ?? null,
          tags: [...(req.tags ?? [])].sort(),
          exportedBy: req.actor,
          startedAt: new Date(now()).toISOString(),
          items,
        }),
        // the key list is read as it is written: a failing selection fails here
        sel.keys,
      );
    } catch (err) {
      await closeUnused(early);
      throw err;
    }
  }
  const total = header.items;
  try {
    await req.onStart?.({ exportId: header.exportId, resumed, items: total });
  } catch (err) {
    await closeUnused(early);
    throw err;
  }

  if (header.format === 'mbox') await cutMboxes(out, mboxEnd);

  // With syncfs, each batch's sync makes the lines journaled before it durable too: the journal
  // waits for the disk once per batch, not twice (its own fdatasync took 250-600 ms of every
  // 0.5-1 s cycle, with the writers held up behind it).
  const done = await openJournal(out, !syncfsAvailable());
  const ctx = batchContext(out, store, header, { mboxEnd, rsmfPaths });
  // A batch is journaled only once its files are durable, and batches are journaled in order; the
  // sync and journal write of what is written run while the writers go on with the next batches.
  let writers: BatchWriter[] = [];
  // An export that did not resume writes its load files and manifest parts as it journals; a
  // resumed one (or a PDF export, whose items' paths are known only at the end) reads the
  // journal back for them once every item is in it.
  let live: PassWriter | undefined;
  let through = next;
  try {
    writers = await batchWriters(store, ctx, total - next, size, req.threads, early);
    if (!resumed && header.format !== 'pdf') live = await PassWriter.open(out, header);
    await writeBatches({
      // the key list is read as a stream, a batch at a time
      batches: readKeys(out, header.version, next, size),
      first: next,
      writers,
      journal: async (batches) => {
        const files = batches.flatMap((b) => b.files);
        if (files.length) await syncFiles(out, files);
        const items = batches.flatMap((b) => b.items);
        await done.append(items);
        live?.add(items);
        through += items.length;
        progress({ phase: 'items', done: through, total });
      },
    });
  } catch (err) {
    live?.close();
    throw err;
  } finally {
    await Promise.all(writers.map(async (w) => w.close()));
    await done.close();
  }

  progress({ phase: 'files', done: total, total });
  let pass: JournalPass;
  try {
    // The writers of RSMF and PDF files (with the MIME parser, zip and PDF libraries they use)
    // are loaded only for those formats: an EML or mbox export, and its threads, never need them.
    if (header.format === 'rsmf') await writeRsmf(store, out, total, size, req.threads);
    let pathOf: ((d: JournalItem) => string) | undefined;
    if (header.format === 'pdf') {
      const pdf = await import('./pdf-write.js');
      pathOf = await pdf.pdfPathOf(out);
      await pdf.writePdfFiles(out, store, header, font!, pathOf);
    }
    // the load files and what the manifest takes from the journal: written already, or in one pass over it
    pass = live ? live.finish() : await journalPass(out, header, pathOf);
  } catch (err) {
    live?.close();
    throw err;
  }
  // every file durable before the manifest vouches for it
  await syncExport(out);
  progress({ phase: 'manifest', done: total, total });
  const manifest = await writeManifest(out, header, pass);
  const counts = manifest.counts;
  await appendAudit(
    store.db,
    {
      actor: req.actor,
      action: 'export',
      target: header.caseId !== null ? `case:${header.caseId}` : 'archive',
      detail: {
        format: header.format,
        exportId: header.exportId,
        ...(header.query !== null ? { query: header.query } : {}),
        ...(header.reviewSetId !== null ? { reviewSetId: header.reviewSetId } : {}),
        manifestSha256: manifest.sha256,
        ...counts,
        resumed,
      },
      ...(req.ip ? { ip: req.ip } : {}),
    },
    now(),
  );
  return {
    exportId: header.exportId ?? '-',
    outDir: out,
    manifest: manifest.path,
    manifestSha256: manifest.sha256,
    counts,
    resumed,
  };
}

/**
 * RSMF: the files written a chunk at a time by the export's own thread and, for an export of
 * some size, by threads of their own as for EML (one per core but one, at most three, joining as
 * they start, a thread that cannot start leaving its share to the others; or `threads`, which
 * must start), each with its own connection to the archive. The files and the manifest are the
 * same whatever the number of writers.
 */
async function writeRsmf(store: Store, out: string, items: number, size: number, threads?: number): Promise<void> {
  const rsmf = await import('./rsmf-write.js');
  const n = !store.location ? 0 : (threads ?? defaultBatchThreads(items, size));
  // by default the threads join as they start; asked for by name, they start first and must
  const started: (BatchThread | StartingThread)[] =
    n <= 0
      ? []
      : threads === undefined
        ? startThreads(store, out, n).map((t) => new StartingThread(t))
        : await askedThreads(store, out, n);
  try {
    await rsmf.writeRsmfFiles(out, store, {
      threads: started.map((t) => ({
        // one chunk at a time: building a chunk (hundreds of messages parsed) takes far longer
        // than handing the next one over (measured as such: bench/README.md, export, RSMF)
        depth: 1,
        ...(t instanceof StartingThread ? { ready: t.ready } : {}),
        run: (files) => t.rsmf(files),
      })),
      chunkItems: size,
    });
  } finally {
    await Promise.all(started.map(async (t) => t.close()));
  }
}

/** Cuts each mbox back to the end of its last journaled entry (a torn entry is written again). */
async function cutMboxes(out: string, ends: Map<string, number>): Promise<void> {
  const dir = join(out, 'MBOX');
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) {
    const rel = `MBOX/${name}`;
    const size = (await stat(join(dir, name))).size;
    const end = ends.get(rel) ?? 0;
    if (size !== end) await truncate(join(dir, name), end);
  }
}
