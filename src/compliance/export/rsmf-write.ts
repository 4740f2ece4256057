/**
 * The RSMF side of an export. While items are journaled each gets the path of its file (one
 * per custodian, conversation and UTC day, split so no file reaches 10,000 events); once all
 * are journaled the files are written from the journal, a day at a time, a chunk of files at a
 * time by the export's own thread and by threads of its own. Writing is idempotent (same items,
 * same bytes), so a resumed export simply writes them again.
 */
import type { Store } from '../../store/index.js';
import { runInOrder, type OrderedWorker } from './batch-threads.js';
import { openFilesJournal, readDone, type JournalFile, type JournalItem } from './journal.js';
import { groupByPath } from './parsed-items.js';
import { writeRsmfChunk, type RsmfChunk } from './rsmf-chunk.js';
import { KnownDirs } from './write-util.js';

/**
 * Items whose messages are read and parsed together: up to this many, or this many bytes of
 * archived messages (whole files, so one file may exceed either).
 */
const CHUNK_ITEMS = 500;
const CHUNK_BYTES = 16 << 20;

/** The writers of an export's RSMF files besides its own thread (threads of their own, see batch-threads.ts). */
export type RsmfWorker = OrderedWorker<RsmfChunk, JournalFile[]>;

/**
 * The RSMF files the journal names, a chunk at a time: the journal is in sent-time order and a
 * file holds one UTC day, so a day's files are built from that day's items alone, and memory
 * holds one day's journal lines whatever the export's size.
 */
async function* chunks(out: string, chunkItems: number): AsyncGenerator<RsmfChunk> {
  async function* ofDay(items: JournalItem[]): AsyncGenerator<RsmfChunk> {
    let chunk: RsmfChunk = [];
    let size = 0;
    let bytes = 0;
    for (const entry of await groupByPath(items)) {
      chunk.push(entry);
      size += entry[1].length;
      for (const d of entry[1]) bytes += d.bytes;
      if (size >= chunkItems || bytes >= CHUNK_BYTES) {
        yield chunk;
        chunk = [];
        size = 0;
        bytes = 0;
      }
    }
    if (chunk.length) yield chunk;
  }
  let day = '';
  let items: JournalItem[] = [];
  for await (const d of readDone(out)) {
    const today = d.dateSent.slice(0, 10);
    if (today !== day && items.length) {
      yield* ofDay(items);
      items = [];
    }
    day = today;
    items.push(d);
  }
  if (items.length) yield* ofDay(items);
}

/**
 * Writes every RSMF file named in the journal, hashing each as it is written and journaling its
 * path, SHA-256 and size (the manifest's entry; no file is read back), chunk after chunk in the
 * journal's order whoever wrote them, so the files and the manifest are the same whatever the
 * number of writers. `chunkItems` (the export's batch size) bounds a chunk's items.
 */
export async function writeRsmfFiles(
  out: string,
  store: Store,
  opts: { threads?: readonly RsmfWorker[]; chunkItems?: number } = {},
): Promise<void> {
  const dirs = new KnownDirs();
  const own: RsmfWorker = { depth: 1, run: (files) => writeRsmfChunk(out, store, dirs, files) };
  const journal = await openFilesJournal(out);
  try {
    await runInOrder({
      work: chunks(out, Math.min(CHUNK_ITEMS, opts.chunkItems ?? CHUNK_ITEMS)),
      workers: [own, ...(opts.threads ?? [])],
      done: async (written) => journal.append(written.flat()),
    });
  } finally {
    await journal.close();
  }
}
