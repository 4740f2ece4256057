/**
 * The export's progress journal, kept in `.export/` inside the output directory: the header
 * (what is exported, by whom, since when), the ordered item keys, and one line per item written.
 * A resumed export reads it back, skips what is done and ends with the same files and manifest
 * as an uninterrupted run; a torn last line (killed mid-write) is ignored.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { syncDir } from '../../store/blobs/local.js';

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

export async function readHeader(out: string): Promise<{ header: JournalHeader; keys: string[] } | undefined> {
  let text: string;
  try {
    text = await readFile(join(journalDir(out), 'header.json'), 'utf8');
  } catch {
    return undefined;
  }
  const header = JSON.parse(text) as JournalHeader;
  const keys = (await readFile(join(journalDir(out), 'items.txt'), 'utf8')).split('\n').filter(Boolean);
  return { header, keys };
}

async function writeDurable(path: string, data: string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes the header and the key list, durably; the header last (renamed into place), so it
 * names a complete list.
 */
export async function writeHeader(out: string, header: JournalHeader, keys: readonly string[]): Promise<void> {
  const dir = journalDir(out);
  await mkdir(dir, { recursive: true });
  await writeDurable(join(dir, 'items.txt'), keys.map((k) => `${k}\n`).join(''));
  await writeDurable(join(dir, 'done.jsonl'), '');
  await writeDurable(join(dir, 'header.json.tmp'), JSON.stringify(header));
  await rename(join(dir, 'header.json.tmp'), join(dir, 'header.json'));
  await syncDir(dir);
  await syncDir(out);
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
      await fh.write(items.map((i) => JSON.stringify(i) + '\n').join(''));
      await fh.datasync();
    },
    close: () => fh.close(),
  };
}

/** The items done, in journal order; a torn last line is dropped. */
export async function* readDone(out: string): AsyncGenerator<JournalItem> {
  const rl = createInterface({
    input: createReadStream(join(journalDir(out), 'done.jsonl'), 'utf8'),
    crlfDelay: Infinity,
  });
  for await (const line of rl) {
    if (!line) continue;
    let item: JournalItem;
    try {
      item = JSON.parse(line) as JournalItem;
    } catch {
      return;
    }
    yield item;
  }
}
