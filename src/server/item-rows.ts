/**
 * The rows of a mailbox's item list, made from each item's stored model with the renderer's own
 * Subject and sender name, so the list reads like the mail a client shows without opening one
 * stored message per row. Names come from the directory cache as it is now.
 */
import { safeDisplayName } from '../core/display-name.js';
import type { ChatMessage, Person } from '../core/model.js';
import { senderOf, subjectFor, type RenderContext } from '../render/index.js';
import type { Db } from '../store/index.js';
import { findPeople, findRoomNames, type MailboxEntryRow } from '../store/mailbox-pages.js';
import type { ItemRow } from './contract.js';

interface Directory {
  people: Map<string, Person>;
  rooms: Map<string, string>;
}

function contextFor(dir: Directory | undefined, wanted?: { people: Set<string>; rooms: Set<string> }): RenderContext {
  return {
    people: (id) => {
      wanted?.people.add(id);
      return dir?.people.get(id);
    },
    roomName: (id) => {
      wanted?.rooms.add(id);
      return dir?.rooms.get(id);
    },
    attachmentBytes: () => undefined,
  };
}

function parseModel(json: string): ChatMessage | undefined {
  try {
    return JSON.parse(json) as ChatMessage;
  } catch {
    return undefined;
  }
}

function describe(msg: ChatMessage | undefined, ctx: RenderContext): { subject: string; from: string } | undefined {
  if (!msg) return undefined;
  try {
    // Subjects name files ("File: report.pdf") and senders are chat nicknames: shown, so made safe.
    return { subject: safeDisplayName(subjectFor(msg, ctx)), from: safeDisplayName(senderOf(msg, ctx).name) };
  } catch {
    // A model the current renderer cannot describe still gets its row (see the fallback below).
    return undefined;
  }
}

/**
 * Rows for entries of one page. The renderer is asked twice: first to learn which people and
 * rooms it looks up (whatever the message type names), then with those loaded from the store,
 * so exactly the directory entries a subject needs are read.
 */
export async function itemRows(db: Db, entries: readonly MailboxEntryRow[]): Promise<ItemRow[]> {
  const models = entries.map((e) => parseModel(e.modelJson));
  const wanted = new Map<string, { people: Set<string>; rooms: Set<string> }>();
  entries.forEach((e, i) => {
    let w = wanted.get(e.connectorId);
    if (!w) wanted.set(e.connectorId, (w = { people: new Set(), rooms: new Set() }));
    describe(models[i], contextFor(undefined, w));
  });
  const dirs = new Map<string, Directory>();
  for (const [connectorId, w] of wanted) {
    const [people, rooms] = await Promise.all([
      findPeople(db, connectorId, [...w.people]),
      findRoomNames(db, connectorId, [...w.rooms]),
    ]);
    dirs.set(connectorId, { people: new Map(people.map((p) => [p.id, p])), rooms });
  }
  return entries.map((e, i) => {
    const model = models[i];
    const shown = describe(model, contextFor(dirs.get(e.connectorId)));
    return {
      itemKey: e.itemKey,
      subject: shown?.subject ?? `[WeChat] ${e.msgtype}`,
      from: shown?.from ?? safeDisplayName(model?.from ?? ''),
      msgType: e.msgtype,
      msgTime: e.msgTime,
      size: e.size,
      recalled: e.recalled,
    };
  });
}
