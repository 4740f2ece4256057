/**
 * The RSMF side of an export. While items are journaled each gets the path of its file (one
 * per custodian, conversation and UTC day, split so no file reaches 10,000 events); once all
 * are journaled the files are written from the journal, a day at a time. Writing is idempotent
 * (same items, same bytes), so a resumed export simply writes them again.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Store } from '../../store/index.js';
import { openFilesJournal, readDone, type JournalFile, type JournalItem } from './journal.js';
import { groupByPath, parsedItems } from './parsed-items.js';
import { KnownDirs, writeWholeSync } from './write-util.js';
import { rsmfFile } from './rsmf.js';

/**
 * Items whose messages are read and parsed together: up to this many, or this many bytes of
 * archived messages (whole files, so one file may exceed either).
 */
const CHUNK_ITEMS = 500;
const CHUNK_BYTES = 16 << 20;

/**
 * Writes every RSMF file named in the journal, hashing each as it is written and journaling its
 * path, SHA-256 and size (the manifest's entry; no file is read back). The journal is in
 * sent-time order and a file holds one UTC day, so a day's files are built from that day's items
 * alone: memory holds one day's journal lines and a chunk of parsed messages, whatever the
 * export's size.
 */
export async function writeRsmfFiles(out: string, store: Store): Promise<void> {
  const dirs = new KnownDirs();
  const journal = await openFilesJournal(out);
  const written: JournalFile[] = [];
  const writeChunk = async (files: [string, JournalItem[]][]) => {
    const parsed = await parsedItems(
      store,
      files.flatMap(([, items]) => items),
    );
    let at = 0;
    for (const [path, items] of files) {
      const { bytes } = rsmfFile(parsed.slice(at, at + items.length), path.slice('RSMF/'.length, -'.rsmf'.length));
      at += items.length;
      const file = join(out, path);
      // Not renamed into place: a resumed export writes every RSMF file again before its manifest.
      // Plain system calls on this thread, as for EML: through the thread pool each file cost
      // three hand-offs and their wake-ups (some 20 futex calls a file), more than the calls.
      dirs.ensureSync(dirname(file));
      writeWholeSync(file, [bytes]);
      written.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    }
    await journal.append(written.splice(0));
  };
  const writeDay = async (items: JournalItem[]) => {
    let chunk: [string, JournalItem[]][] = [];
    let size = 0;
    let bytes = 0;
    for (const entry of await groupByPath(items)) {
      chunk.push(entry);
      size += entry[1].length;
      for (const d of entry[1]) bytes += d.bytes;
      if (size >= CHUNK_ITEMS || bytes >= CHUNK_BYTES) {
        await writeChunk(chunk);
        chunk = [];
        size = 0;
        bytes = 0;
      }
    }
    if (chunk.length) await writeChunk(chunk);
  };
  try {
    let day = '';
    let items: JournalItem[] = [];
    for await (const d of readDone(out)) {
      const today = d.dateSent.slice(0, 10);
      if (today !== day && items.length) {
        await writeDay(items);
        items = [];
      }
      day = today;
      items.push(d);
    }
    if (items.length) await writeDay(items);
  } finally {
    await journal.close();
  }
}
