/**
 * The export's progress journal, kept in `.export/` inside the output directory: the header
 * (what is exported, by whom, since when), the ordered item keys, one line per item written,
 * and, for the formats whose files hold many items (RSMF, PDF), one line per such file with its
 * SHA-256 and size, taken as it was written. A resumed export reads it back, skips what is done
 * and ends with the same files and manifest as an uninterrupted run; the item journal is cut at
 * its first line that is not whole (killed mid-write, or not on disk at a power loss). Every
 * part is read as a stream: none is held whole, whatever the size.
 *
 * Version 2 leaves out of each line what the item's own file holds: the From, To and Subject
 * the EML load file lists (about 45% of a version 1 line, the To lists mostly) are read again
 * from the item's file by an export that resumes. Version 1 journals, whose lines carry them,
 * resume as they are.
 *
 * Version 3 (this one) gives each key of the list the item's rowid in the archive, as the
 * selection found it (`ROWID KEY`, 0 where the database has none), so a batch reads the item's
 * row without looking its key up again; the lists of versions 1 and 2 (a key a line) resume as
 * they are, their items looked up by key.
 */
import { closeSync, createReadStream, existsSync, fdatasync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { textChunks, Utf8Chunks } from '../../core/text-chunks.js';
import { syncDir } from '../../store/blobs/local.js';
import type { ExportKeyPage } from '../../store/index.js';
import type { LoadHeaders } from './headers.js';
import { writeAllSync, writeAllTo } from './write-util.js';

const fdatasyncAsync = promisify(fdatasync);

/** The journal version this build writes; it resumes exports of this version and of versions 1 and 2. */
export const JOURNAL_VERSION = 3;

const KNOWN_VERSIONS = [1, 2, JOURNAL_VERSION] as const;

export interface JournalHeader {
  version: (typeof KNOWN_VERSIONS)[number];
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

/**
 * One item written: its files, hashes and the load file's fields but for those its file's
 * headers give (LoadHeaders). Lines of a version 1 journal carry those too.
 */
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
  dateSent: string;
  conversation: string;
  msgtype: string;
  tags: string[];
  /** RSMF: the msgid of the recall, when this message was recalled */
  recalledBy?: string;
}

/** An item as its batch wrote it: its journal line and the headers read from its message. */
export type WrittenItem = JournalItem & LoadHeaders;

/** A line read back: a version 1 line also has the headers. */
export type JournalLine = JournalItem & Partial<LoadHeaders>;

/** Every field of JournalItem, the optional ones too (undefined where absent). */
type LineFields = Record<keyof JournalItem, unknown>;

/**
 * An item's line in the journal, with its newline: the headers of a WrittenItem left out. Every
 * field is named (LineFields makes the type check that none is missed; JSON leaves out those
 * undefined): an object of one shape for every line is stringified faster than the item itself
 * with a list of its fields to keep (1.5 against 2.0 ms for a batch of 500).
 */
export function journalLine(i: JournalItem): string {
  const line: LineFields = {
    n: i.n,
    controlNumber: i.controlNumber,
    itemKey: i.itemKey,
    msgid: i.msgid,
    mimeSha256: i.mimeSha256,
    bytes: i.bytes,
    path: i.path,
    end: i.end,
    custodians: i.custodians,
    dateSent: i.dateSent,
    conversation: i.conversation,
    msgtype: i.msgtype,
    tags: i.tags,
    recalledBy: i.recalledBy,
  };
  return JSON.stringify(line) + '\n';
}

export const journalDir = (out: string): string => join(out, '.export');

export async function readHeader(out: string): Promise<JournalHeader | undefined> {
  const path = join(journalDir(out), 'header.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const header = JSON.parse(text) as JournalHeader;
  if (!(KNOWN_VERSIONS as readonly number[]).includes(header.version))
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `${path}: an export journal of version ${String(header.version)}, which this build cannot resume (it knows versions ${KNOWN_VERSIONS.join(', ')}); resume it with the build that began it, or export into a new directory`,
    );
  return header;
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

const ROWID_PREFIX = /^(\d+) /;

/**
 * The item keys from the `from`th on, `size` at a time (the list is read as a stream), with their
 * rowids where the list of a version 3 journal gives them.
 */
export async function* readKeys(
  out: string,
  version: JournalHeader['version'],
  from: number,
  size: number,
): AsyncGenerator<ExportKeyPage> {
  const hinted = version >= 3;
  let n = 0;
  let keys: string[] = [];
  let rowids: number[] = [];
  let anyRowid = false;
  const page = (): ExportKeyPage => ({ keys, rowids: anyRowid ? rowids : null });
  for await (const line of lines(join(journalDir(out), 'items.txt'))) {
    if (n++ < from) continue;
    // a line of version 3 that does not start with a rowid (none is written so) is taken whole as a key
    const prefix = hinted ? ROWID_PREFIX.exec(line) : null;
    const rowid = prefix ? Number(prefix[1]) : 0;
    keys.push(prefix ? line.slice(prefix[0].length) : line);
    rowids.push(rowid);
    if (rowid) anyRowid = true;
    if (keys.length >= size) {
      yield page();
      keys = [];
      rowids = [];
      anyRowid = false;
    }
  }
  if (keys.length) yield page();
}

/** A page of the key list as version 3 writes it: `ROWID KEY` a line, 0 where there is no rowid. */
const keyLines = (p: ExportKeyPage): string[] => p.keys.map((k, i) => `${p.rowids?.[i] ?? 0} ${k}\n`);

async function writeDurable(path: string, data: string | AsyncIterable<ExportKeyPage>): Promise<number> {
  const fh = await open(path, 'w');
  let count = 0;
  try {
    if (typeof data === 'string') await fh.writeFile(data);
    else
      for await (const page of data) {
        count += page.keys.length;
        await writeAllTo(fh, textChunks(keyLines(page)));
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
  keys: AsyncIterable<ExportKeyPage>,
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
 * The journal of items done, open for the run: a batch's lines go in one write (the caller has
 * made the batch's files durable before that). With `durable`, the lines are made durable before
 * the call returns; without, the caller makes them durable with the next batch's files (one
 * sync of the file system covers both) and `close` makes the last ones durable. A line that a
 * power loss takes is only work to do again: no line names a file that is not durable, and a
 * resumed export keeps the journal up to its first line that is not whole (`cutJournal`).
 */
export async function openJournal(
  out: string,
  durable = true,
): Promise<{
  append(items: readonly JournalItem[]): Promise<void>;
  close(): Promise<void>;
}> {
  // Written by plain system calls: a write through the thread pool came back only once the
  // export's own thread next yielded, after the batch it was writing.
  const fd = openSync(join(journalDir(out), 'done.jsonl'), 'a');
  const lines = new Utf8Chunks((chunk) => writeAllSync(fd, chunk));
  return {
    append: async (items) => {
      if (!items.length) return;
      for (const item of items) lines.put(journalLine(item));
      lines.flush();
      if (durable) await fdatasyncAsync(fd);
    },
    close: async () => {
      try {
        if (!durable) await fdatasyncAsync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Cuts the item journal after its last good line before a resumed export appends to it: the
 * lines from the first one that is torn (killed mid-write), not JSON, or out of sequence (a power
 * loss can leave a block of zeros where lines were not yet on disk) are dropped, and their items
 * are written again. Read a chunk at a time, as bytes, so the cut falls on the exact byte. Each
 * good line is handed to `each` as it is read (so the journal is read once on resume, not again
 * for what the lines say); the number of good lines is returned, which is where the export goes on.
 */
export async function cutJournal(out: string, each?: (line: JournalLine) => void): Promise<number> {
  const path = join(journalDir(out), 'done.jsonl');
  const fh = await open(path, 'r+');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry = Buffer.alloc(0);
    // `good`: the bytes of the good lines so far; `at`: where `carry` starts in the file
    let good = 0;
    let at = 0;
    let expect = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, at + carry.length);
      if (bytesRead === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
        const line = lineNumbered(data.toString('utf8', start, nl), expect);
        if (!line) {
          await fh.truncate(good);
          return expect;
        }
        each?.(line);
        expect++;
        start = nl + 1;
        good = at + start;
      }
      at += start;
      carry = Buffer.from(data.subarray(start));
    }
    // a last line without its newline is torn
    if (good < at + carry.length) await fh.truncate(good);
    return expect;
  } finally {
    await fh.close();
  }
}

/** `text` as the journal line of the item numbered `n`, or undefined when it is not one (torn, not JSON, another number). */
function lineNumbered(text: string, n: number): JournalLine | undefined {
  try {
    const line = JSON.parse(text) as JournalLine;
    return line.n === n ? line : undefined;
  } catch {
    return undefined;
  }
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
export const readDone = (out: string): AsyncGenerator<JournalLine> =>
  records<JournalLine>(join(journalDir(out), 'done.jsonl'));

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
