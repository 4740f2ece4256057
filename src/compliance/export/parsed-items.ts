/**
 * Reads journaled items back as parsed messages with their WeCom ids: what the per-conversation
 * formats (RSMF, PDF transcripts) build their files from, their rows and stored messages read
 * a few hundred at a time.
 */
import { simpleParser } from 'mailparser';
import { exportItemPeople, type Store, type StoredMessage } from '../../store/index.js';
import type { JournalItem } from './journal.js';
import { messageBytes } from './message-io.js';
import type { RsmfItem } from './rsmf-manifest.js';
import { mapLimit } from './write-util.js';

/** Items whose rows and messages are read in one query each. */
const READ_AT_ONCE = 500;

export async function parsedItems(store: Store, items: readonly JournalItem[]): Promise<RsmfItem[]> {
  const people = new Map<string, { from: string; tolist: string[] }>();
  const messages = new Map<string, StoredMessage>();
  for (let i = 0; i < items.length; i += READ_AT_ONCE) {
    const slice = items.slice(i, i + READ_AT_ONCE);
    for (const [k, v] of await exportItemPeople(
      store.db,
      slice.map((d) => d.itemKey),
    ))
      people.set(k, v);
    for (const [k, v] of await store.blobs.readMessages(
      store.db,
      slice.map((d) => d.mimeSha256),
    ))
      messages.set(k, v);
  }
  // parsed a few at a time: a medium streamed from the object store overlaps the parsing
  const parsed = await mapLimit(items, 4, async (d): Promise<RsmfItem> => {
    const mime = await messageBytes(messages.get(d.mimeSha256)!, store.blobs.objects);
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
  done: AsyncIterable<JournalItem> | Iterable<JournalItem>,
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
