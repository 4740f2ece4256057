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
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TextChunker } from '../../core/text-chunks.js';
import { syncDir } from '../../store/blobs/local.js';
import { readFiles, type JournalHeader } from './journal.js';
import type { JournalPass, WrittenFile } from './load-files-write.js';
import { writeAllTo } from './write-util.js';

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

/** The manifest's file entries after the EML files: mbox files, RSMF or PDF files, load files. */
async function* rest(mboxes: readonly WrittenFile[], out: string, pass: JournalPass): AsyncGenerator<WrittenFile> {
  yield* mboxes;
  for await (const f of readFiles(out)) yield { path: f.path, sha256: f.sha256, bytes: f.bytes };
  yield* pass.loadFiles;
}

/**
 * Writes the manifest from the journal pass (`journalPass`): its counts, then the file entries
 * (EML files in journal order, from the pass's part file; mbox files; RSMF or PDF files as
 * journaled when written; load files), then the items (from the other part file). No list of
 * the export's files or items is held: memory is the same for ten items or ten million.
 */
export async function writeManifest(out: string, header: JournalHeader, pass: JournalPass): Promise<ManifestWritten> {
  // An mbox per custodian (few files, each appended to across the run): hashed once here.
  const mboxes: WrittenFile[] = [];
  for (const [path, bytes] of [...pass.mboxEnds].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    mboxes.push({ path, sha256: await sha256File(join(out, path)), bytes });
  // RSMF and PDF: hashed as they were written, read from their journal (once to count them,
  // once to list them: an RSMF export has about a file per item, not held here)
  const counts = { items: pass.items, files: pass.itemFiles, bytes: pass.itemFileBytes };
  for await (const f of rest(mboxes, out, pass)) {
    counts.files++;
    counts.bytes += f.bytes;
  }

  const path = join(out, MANIFEST_NAME);
  const fh = await open(`${path}.part`, 'w');
  const hash = createHash('sha256');
  const write = async (b: Buffer) => {
    hash.update(b);
    await writeAllTo(fh, [b]);
  };
  // lines gathered into writes of about TEXT_CHUNK_CHARS characters, not one write per line
  const text = new TextChunker();
  const flush = async () => {
    const b = text.take();
    if (b) await write(b);
  };
  const put = async (s: string) => {
    const b = text.put(s);
    if (b) await write(b);
  };
  /** a part file's entries as they are (already separated by `,\n`) */
  const copy = async (part: string) => {
    await flush();
    for await (const chunk of createReadStream(part)) await write(chunk as Buffer);
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
    let files = pass.itemFileEntries.count;
    if (files) await copy(pass.itemFileEntries.path);
    for await (const f of rest(mboxes, out, pass)) await put(`${files++ ? ',\n' : ''}    ${JSON.stringify(f)}`);
    await put(files ? '\n' : '');
    await put('  ],\n  "items": [\n');
    if (pass.itemEntries.count) {
      await copy(pass.itemEntries.path);
      await put('\n');
    }
    await put('  ]\n}\n');
    await flush();
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.part`, path);
  await syncDir(out);
  for (const part of [pass.itemFileEntries.path, pass.itemEntries.path]) await rm(part, { force: true });
  return { path, sha256: hash.digest('hex'), counts };
}
