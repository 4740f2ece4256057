/**
 * The export manifest (`manifest.json` in the output directory): what was exported, from which
 * case or query, by whom, since when, the counts, the SHA-256 of every file written and of each
 * item's archived MIME, so the receiving side can verify every byte. Written from the journal as
 * a stream (the files' hashes were journaled as they were written; only an mbox, one per
 * custodian, is read back); it holds no finishing time, so a resumed export writes the same
 * manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '../../store/blobs/local.js';
import { readDone, readFiles, type JournalHeader, type JournalItem } from './journal.js';
import type { WrittenFile } from './load-files-write.js';

export const MANIFEST_NAME = 'manifest.json';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface ManifestWritten {
  path: string;
  sha256: string;
  counts: { items: number; files: number; bytes: number };
}

/** The manifest's file entries, in order: EML files (journal order), mbox files, RSMF or PDF files, load files. */
async function* fileEntries(
  out: string,
  header: JournalHeader,
  mboxes: readonly WrittenFile[],
  loadFiles: readonly WrittenFile[],
  /** false: all but the EML files (already counted from the journal) */
  withItemFiles = true,
): AsyncGenerator<WrittenFile> {
  // an EML file's bytes are the archived MIME, so its hash is the MIME's
  if (header.format === 'eml' && withItemFiles)
    for await (const d of readDone(out)) yield { path: d.path, sha256: d.mimeSha256, bytes: d.bytes };
  yield* mboxes;
  // RSMF and PDF: hashed as they were written
  for await (const f of readFiles(out)) yield { path: f.path, sha256: f.sha256, bytes: f.bytes };
  yield* loadFiles;
}

/**
 * Writes the manifest in passes over the journal (the counts, which come first, then the file
 * entries, then the items), so that no list of the export's files or items is held: memory is the same for ten
 * items or ten million.
 */
export async function writeManifest(
  out: string,
  header: JournalHeader,
  loadFiles: WrittenFile[],
  /** PDF: where an item's file is, when it is not the journaled path */
  pathOf: (d: JournalItem) => string = (d) => d.path,
): Promise<ManifestWritten> {
  // An mbox per custodian (few files, each appended to across the run): hashed once here.
  const counts = { items: 0, files: 0, bytes: 0 };
  const ends = new Map<string, number>();
  for await (const d of readDone(out)) {
    counts.items++;
    if (d.end !== undefined) ends.set(d.path, d.end);
    // an EML file per item, counted in this pass rather than in a second one over the journal
    if (header.format === 'eml') {
      counts.files++;
      counts.bytes += d.bytes;
    }
  }
  const items = counts.items;
  const mboxes: WrittenFile[] = [];
  for (const [path, bytes] of [...ends].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    mboxes.push({ path, sha256: await sha256File(join(out, path)), bytes });
  for await (const f of fileEntries(out, header, mboxes, loadFiles, false)) {
    counts.files++;
    counts.bytes += f.bytes;
  }

  const path = join(out, MANIFEST_NAME);
  const fh = await open(`${path}.part`, 'w');
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = async () => {
    const b = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingChars = 0;
    hash.update(b);
    await fh.write(b);
  };
  // lines gathered into writes of about 64 KB, not one write per line
  const put = async (s: string) => {
    pending.push(s);
    pendingChars += s.length;
    if (pendingChars >= 1 << 16) await flush();
  };
  try {
    const head = {
      manifestVersion: 1,
      generator: 'wechat-archiver',
      format: header.format,
      ...(header.exportId !== undefined ? { exportId: header.exportId } : {}),
      case: header.caseId !== null ? { id: header.caseId, name: header.caseName } : null,
      reviewSet: header.reviewSetId,
      query: header.query,
      tags: header.tags,
      exportedBy: header.exportedBy,
      startedAt: header.startedAt,
      hashAlgorithm: 'SHA-256',
      counts,
    };
    await put(JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "files": [\n'));
    let i = 0;
    for await (const f of fileEntries(out, header, mboxes, loadFiles))
      await put(`    ${JSON.stringify(f)}${++i < counts.files ? ',' : ''}\n`);
    await put('  ],\n  "items": [\n');
    i = 0;
    for await (const d of readDone(out)) {
      const rec = {
        controlNumber: d.controlNumber,
        itemKey: d.itemKey,
        msgid: d.msgid,
        mimeSha256: d.mimeSha256,
        path: pathOf(d),
      };
      await put(`    ${JSON.stringify(rec)}${++i < items ? ',' : ''}\n`);
    }
    await put('  ]\n}\n');
    await flush();
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.part`, path);
  await syncDir(out);
  return { path, sha256: hash.digest('hex'), counts };
}
