/**
 * The export's progress journal, kept in `.export/` inside the output directory: the header
 * (what is exported, by whom, since when), the ordered item keys, one line per item written,
 * and, for the formats whose files hold many items (RSMF, PDF), one line per such file with its
 * SHA-256 and size, taken as it was written. A resumed export reads it back, skips what is done
 * and ends with the same files and manifest as an uninterrupted run; a torn last line (killed
 * mid-write) is ignored. Every part is read as a stream: none is held whole, whatever the size.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { textChunks } from '../../core/text-chunks.js';
import { syncDir } from '../../store/blobs/local.js';
import { writeAllTo } from './write-util.js';

export interface JournalHeader {
  version: 1;
  /** made when the export starts (absent in journals of earlier versions) */
  exportId?: string;
  format: string;
  caseId: number | null;
  caseName: string | null;
  reviewSetId: number | null;
  query: string | null;
  tags: string[];
  exportedBy: string;
  startedAt: string;
  items: number;
}

/** One item written: its files, hashes and load-file fields. */
export interface JournalItem {
  n: number;
  controlNumber: string;
  itemKey: string;
  msgid: string;
  mimeSha256: string;
  bytes: number;
  /** path relative to the output directory */
  path: string;
  /** mbox: the file's length after this entry, to cut a torn entry off on resume */
  end?: number;
  custodians: string[];
  from: string;
  to: string;
  subject: string;
  dateSent: string;
  conversation: string;
  msgtype: string;
  tags: string[];
  /** RSMF: the msgid of the recall, when this message was recalled */
  recalledBy?: string;
}

export const journalDir = (out: string): string => join(out, '.export');

export async function readHeader(out: string): Promise<JournalHeader | undefined> {
  let text: string;
  try {
    text = await readFile(join(journalDir(out), 'header.json'), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as JournalHeader;
}

/**
 * The non-empty lines of a file (LF or CRLF), split by hand: the journal is read back
 * several times at the end of a large export, and readline's general line splitting cost more
 * than parsing the lines. A last line without its newline (a torn write) is yielded too.
 */
async function* lines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl);
      start = nl + 1;
      if (line) yield line;
    }
    rest = text.slice(start);
  }
  if (rest) yield rest;
}

/** The item keys from the `from`th on, `size` at a time (the list is read as a stream). */
export async function* readKeys(out: string, from: number, size: number): AsyncGenerator<string[]> {
  let n = 0;
  let batch: string[] = [];
  for await (const key of lines(join(journalDir(out), 'items.txt'))) {
    if (n++ < from) continue;
    batch.push(key);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function writeDurable(path: string, data: string | AsyncIterable<readonly string[]>): Promise<number> {
  const fh = await open(path, 'w');
  let count = 0;
  try {
    if (typeof data === 'string') await fh.writeFile(data);
    else
      for await (const page of data) {
        count += page.length;
        await writeAllTo(fh, textChunks(page.map((k) => `${k}\n`)));
      }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return count;
}

/**
 * Writes the key list (a page at a time, as the selection yields them), then the header, durably;
 * the header last (renamed into place), so it names a complete list. `header` gets the count.
 */
export async function writeHeader(
  out: string,
  header: (items: number) => JournalHeader,
  keys: AsyncIterable<readonly string[]>,
): Promise<JournalHeader> {
  const dir = journalDir(out);
  await mkdir(dir, { recursive: true });
  const h = header(await writeDurable(join(dir, 'items.txt'), keys));
  await writeDurable(join(dir, 'done.jsonl'), '');
  await writeDurable(join(dir, 'header.json.tmp'), JSON.stringify(h));
  await rename(join(dir, 'header.json.tmp'), join(dir, 'header.json'));
  await syncDir(dir);
  await syncDir(out);
  return h;
}

/**
 * The journal of items done, open for the run: a batch's lines go in one write, made durable
 * before the call returns (the caller has made the batch's files durable before that).
 */
export async function openJournal(out: string): Promise<{
  append(items: readonly JournalItem[]): Promise<void>;
  close(): Promise<void>;
}> {
  const fh = await open(join(journalDir(out), 'done.jsonl'), 'a');
  return {
    append: async (items) => {
      if (!items.length) return;
      await writeAllTo(fh, textChunks(items.map((i) => JSON.stringify(i) + '\n')));
      await fh.datasync();
    },
    close: () => fh.close(),
  };
}

/** The parsed lines of a journal file, in order; a torn last line is dropped. */
async function* records<T>(path: string): AsyncGenerator<T> {
  for await (const line of lines(path)) {
    let rec: T;
    try {
      rec = JSON.parse(line) as T;
    } catch {
      return;
    }
    yield rec;
  }
}

/** The items done, in journal order; a torn last line is dropped. */
export const readDone = (out: string): AsyncGenerator<JournalItem> =>
  records<JournalItem>(join(journalDir(out), 'done.jsonl'));

/** A file of many items (RSMF, PDF) as written: its path, SHA-256 and size. */
export interface JournalFile {
  path: string;
  sha256: string;
  bytes: number;
}

const filesJournal = (out: string): string => join(journalDir(out), 'files.jsonl');

/**
 * The journal of the files made from the whole item journal (RSMF, PDF), started afresh each
 * time they are written: a resumed export writes them all again, with the same bytes. It is made
 * durable with the export's files before the manifest is written from it.
 */
export async function openFilesJournal(out: string): Promise<{
  append(files: readonly JournalFile[]): Promise<void>;
  close(): Promise<void>;
}> {
  const fh = await open(filesJournal(out), 'w');
  return {
    append: async (files) => {
      if (files.length) await writeAllTo(fh, textChunks(files.map((f) => JSON.stringify(f) + '\n')));
    },
    close: () => fh.close(),
  };
}

/** The files journaled by openFilesJournal, in the order written; none when there is no such journal. */
export async function* readFiles(out: string): AsyncGenerator<JournalFile> {
  if (!existsSync(filesJournal(out))) return;
  yield* records<JournalFile>(filesJournal(out));
}
