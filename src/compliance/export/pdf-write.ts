/**
 * The PDF side of an export: one transcript per custodian and conversation, or, for a
 * conversation of more than PDF_DAY_SPLIT messages, one per UTC day (as RSMF files are), so no
 * transcript grows past what a reader can page through. Items are journaled with their
 * conversation's path; the split is decided from the whole journal once every item is in it,
 * and the files are written then (idempotent: a resumed export writes the same bytes again).
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Store } from '../../store/index.js';
import { openFilesJournal, readDone, type JournalHeader, type JournalItem } from './journal.js';
import { groupByPath, parsedItems } from './parsed-items.js';
import { KnownDirs } from './write-util.js';
import type { PdfFont } from './pdf-font.js';

/** A conversation with more messages than this gets a transcript per UTC day. */
export const PDF_DAY_SPLIT = 2_000;

/**
 * Where each item's transcript is, once the journal is complete: its conversation's file, or
 * that day's file when the conversation is split.
 */
export async function pdfPathOf(out: string, split = PDF_DAY_SPLIT): Promise<(d: JournalItem) => string> {
  const counts = new Map<string, number>();
  for await (const d of readDone(out)) counts.set(d.path, (counts.get(d.path) ?? 0) + 1);
  const byDay = new Set([...counts].filter(([, n]) => n > split).map(([p]) => p));
  return (d) => (byDay.has(d.path) ? d.path.replace(/\.pdf$/, `_${d.dateSent.slice(0, 10)}.pdf`) : d.path);
}

export async function writePdfFiles(
  out: string,
  store: Store,
  header: JournalHeader,
  font: PdfFont,
  pathOf: (d: JournalItem) => string,
): Promise<void> {
  // pdfkit and its font engine load only when a PDF is made, not with every export or the server
  const { pdfFace, pdfTranscript } = await import('./pdf-transcript.js');
  const face = pdfFace(font);
  const caseLabel = header.caseId !== null ? `${header.caseName ?? ''} (case ${header.caseId})` : null;
  const dirs = new KnownDirs();
  // each file's hash and size taken as it is written, for the manifest
  const journal = await openFilesJournal(out);
  try {
    for (const [path, items] of await groupByPath(readDone(out), pathOf)) {
      const bytes = await pdfTranscript(
        await parsedItems(store, items),
        {
          caseLabel,
          query: header.query,
          reviewSet: header.reviewSetId,
          tags: header.tags,
          exportId: header.exportId ?? '-',
          fileName: basename(path),
        },
        face,
      );
      const file = join(out, path);
      await dirs.ensure(dirname(file));
      await writeFile(`${file}.part`, bytes);
      await rename(`${file}.part`, file);
      await journal.append([{ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }]);
    }
  } finally {
    await journal.close();
  }
}
