/**
 * The export manifest (`manifest.json` in the output directory): what was exported, from which
 * case or query, by whom, since when, the counts, the SHA-256 of every file written and of each
 * item's archived MIME, so the receiving side can verify every byte. Written from the journal as
 * a stream; it holds no finishing time, so a resumed export writes the same manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '../../store/blobs/local.js';
import { readDone, type JournalHeader, type JournalItem } from './journal.js';
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

export async function writeManifest(
  out: string,
  header: JournalHeader,
  loadFiles: WrittenFile[],
  /** PDF: where an item's file is, when it is not the journaled path */
  pathOf: (d: JournalItem) => string = (d) => d.path,
): Promise<ManifestWritten> {
  // Files: every EML (its bytes are the archived MIME, so its hash is the MIME's), or every
  // mbox or RSMF file (hashed now), then the load files.
  const files: WrittenFile[] = [];
  let items = 0;
  const mboxes = new Map<string, number>();
  for await (const d of readDone(out)) {
    items++;
    if (header.format === 'eml') files.push({ path: d.path, sha256: d.mimeSha256, bytes: d.bytes });
    else if (d.end !== undefined) mboxes.set(d.path, d.end);
    // RSMF and PDF: many items share a file, written after the journal, so its size is read from disk
    else if (!mboxes.has(pathOf(d))) mboxes.set(pathOf(d), (await stat(join(out, pathOf(d)))).size);
  }
  for (const [path, bytes] of [...mboxes].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    files.push({ path, sha256: await sha256File(join(out, path)), bytes });
  files.push(...loadFiles);
  const counts = { items, files: files.length, bytes: files.reduce((a, f) => a + f.bytes, 0) };

  const path = join(out, MANIFEST_NAME);
  const fh = await open(`${path}.part`, 'w');
  const hash = createHash('sha256');
  const put = async (s: string) => {
    const b = Buffer.from(s, 'utf8');
    hash.update(b);
    await fh.write(b);
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
    for (let i = 0; i < files.length; i++)
      await put(`    ${JSON.stringify(files[i])}${i + 1 < files.length ? ',' : ''}\n`);
    await put('  ],\n  "items": [\n');
    let i = 0;
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
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${path}.part`, path);
  await syncDir(out);
  return { path, sha256: hash.digest('hex'), counts };
}
