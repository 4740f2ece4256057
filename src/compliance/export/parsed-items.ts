/**
 * Reads journaled items back as parsed messages with their WeCom ids: what the per-conversation
 * formats (RSMF, PDF transcripts) build their files from. One file's items at a time.
 */
import { simpleParser } from 'mailparser';
import { exportItemPeople, type Store } from '../../store/index.js';
import type { JournalItem } from './journal.js';
import type { RsmfItem } from './rsmf-manifest.js';
import { mapLimit } from './write-util.js';

export async function parsedItems(store: Store, items: readonly JournalItem[]): Promise<RsmfItem[]> {
  const people = new Map<string, { from: string; tolist: string[] }>();
  for (let i = 0; i < items.length; i += 500)
    for (const [k, v] of await exportItemPeople(
      store.db,
      items.slice(i, i + 500).map((d) => d.itemKey),
    ))
      people.set(k, v);
  // blobs read and parsed a few at a time: the reads overlap the parsing
  const parsed = await mapLimit(items, 4, async (d): Promise<RsmfItem> => {
    const mime = await store.blobs.read(store.db, d.mimeSha256);
    return {
      controlNumber: d.controlNumber,
      itemKey: d.itemKey,
      msgid: d.msgid,
      msgtype: d.msgtype,
      msgTime: Date.parse(d.dateSent),
      custodian: d.custodians[0],
      fromId: people.get(d.itemKey)?.from ?? '',
      toIds: people.get(d.itemKey)?.tolist ?? [],
      ...(d.recalledBy !== undefined ? { recalledBy: d.recalledBy } : {}),
      mail: await simpleParser(mime, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true }),
    };
  });
  return parsed;
}

/** The journal grouped by file path, paths sorted (the order files are written in). */
export async function groupByPath(
  done: AsyncIterable<JournalItem>,
  pathOf: (d: JournalItem) => string = (d) => d.path,
): Promise<[string, JournalItem[]][]> {
  const byPath = new Map<string, JournalItem[]>();
  for await (const d of done) {
    const p = pathOf(d);
    const list = byPath.get(p);
    if (list) list.push(d);
    else byPath.set(p, [d]);
  }
  return [...byPath].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
