/**
 * One chunk of an RSMF export's files built and written: the items' rows and stored messages
 * read and parsed together, each file built (rsmf.ts), written whole and hashed as written. Run
 * by the export's own thread or by one of its threads (batch-worker.ts); the caller journals the
 * entries, chunk after chunk in the export's order, whoever wrote them.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { crashPoint } from '../../core/fault-points.js';
import type { Store } from '../../store/index.js';
import type { JournalFile, JournalItem } from './journal.js';
import { parsedItems } from './parsed-items.js';
import { rsmfFile } from './rsmf.js';
import { writeWholeSync, type KnownDirs } from './write-util.js';

/** RSMF files to write: each file's path (under the export) and its items, in time order. */
export type RsmfChunk = [path: string, items: JournalItem[]][];

/** Writes the chunk's files under `out`; their journal entries (path, SHA-256, size), in the chunk's order. */
export async function writeRsmfChunk(
  out: string,
  store: Store,
  dirs: KnownDirs,
  files: RsmfChunk,
): Promise<JournalFile[]> {
  const parsed = await parsedItems(
    store,
    files.flatMap(([, items]) => items),
  );
  const written: JournalFile[] = [];
  let at = 0;
  for (const [path, items] of files) {
    const { bytes } = rsmfFile(parsed.slice(at, at + items.length), path.slice('RSMF/'.length, -'.rsmf'.length));
    at += items.length;
    const file = join(out, path);
    // Not renamed into place: a resumed export writes every RSMF file again before its manifest.
    // Plain system calls on this thread, as for EML: through the thread pool each file cost three
    // hand-offs and their wake-ups (some 20 futex calls a file), more than the calls themselves.
    dirs.ensureSync(dirname(file));
    writeWholeSync(file, [bytes]);
    written.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    // a kill here leaves files the files journal does not name: a resumed export writes them all again
    crashPoint('export-file');
  }
  return written;
}
