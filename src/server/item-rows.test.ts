// A mailbox's item list shows each item's Subject and sender as the renderer makes them; a file
// message's Subject carries the file's name, so a bidi override in it must not reach the page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../core/model.js';
import { sampleCases } from '../../test/helpers/render-fixtures.js';
import { openDatabase, type Db } from '../store/db.js';
import { itemRows } from './item-rows.js';

let db: Db;
beforeEach(async () => {
  db = await openDatabase({ file: ':memory:' });
});
afterEach(async () => {
  await db.destroy();
});

describe('itemRows', () => {
  it('shows a file name and a sender name with bidi controls replaced', async () => {
    const file = sampleCases().find((c) => c.name === 'file')!.msg;
    const spoofed = {
      ...file,
      from: 'eve\u202e',
      content: { ...file.content, filename: 'invoice\u202efdp.exe' },
    } as ChatMessage;
    const [row] = await itemRows(db, [
      {
        entryId: 1,
        itemKey: 'k1',
        connectorId: 'corp',
        msgtype: 'file',
        msgTime: file.time,
        size: 1,
        recalled: false,
        modelJson: JSON.stringify(spoofed),
      },
    ]);
    expect(row!.subject).toContain('invoice_fdp.exe');
    expect(row!.subject).not.toMatch(/\p{Bidi_Control}/u);
    expect(row!.from).not.toMatch(/\p{Bidi_Control}/u);
    expect(row!.from).toContain('eve_');
  });
});
