// Delivering rendered items into mailboxes through the Graph emulator: what a reader sees,
// the MAPI properties that make each a dated, received, findable item, duplicates, and the
// folder's life cycle.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_CLASS, PROP } from '../../src/destinations/graph/index.js';
import { DestinationError } from '../../src/destinations/types.js';
import { parseMimeParts } from '../../src/destinations/graph/mime-parts.js';
import type { GraphEmulator } from './emulator.js';
import { propKey } from './emulator-state.js';
import { destination, emulator, fakeClock, FOLDER, MAILBOX, OTHER, sampleItems, textItem } from './helpers.js';

let emu: GraphEmulator;
beforeEach(async () => {
  emu = await emulator();
});
afterEach(async () => {
  await emu.close();
});

const prop = (m: { props: Map<string, { value: string }> }, id: string) => m.props.get(propKey(id) as string)?.value;

describe('Graph destination: delivery', () => {
  it('delivers every sample item once into the folder, read, not a draft, dated at the item time', async () => {
    const dest = destination(emu, fakeClock());
    const items = sampleItems();
    for (const item of items) {
      const out = await dest.deliver(item, MAILBOX);
      expect(out.status).toBe('delivered');
    }
    const msgs = emu.messages(MAILBOX, FOLDER);
    expect(msgs).toHaveLength(items.length);
    for (const item of items) {
      const m = msgs.find((x) => prop(x, PROP.sourceItemId) === item.key);
      expect(m, item.key).toBeDefined();
      if (!m) continue;
      const parts = await parseMimeParts(item.mime);
      expect(m.isDraft).toBe(false);
      expect(m.isRead).toBe(true);
      expect(Date.parse(m.receivedDateTime)).toBe(item.time);
      expect(Date.parse(m.sentDateTime ?? '')).toBe(item.time);
      expect(m.internetMessageId).toBe(item.messageId);
      expect(prop(m, PROP.messageClass)).toBe(MESSAGE_CLASS);
      expect(m.subject).toBe(parts.subject);
      expect(m.bodyType).toBe('html');
      expect(m.body).toBe(parts.html);
      expect(m.from).toEqual({ emailAddress: { name: parts.from?.name, address: parts.from?.address } });
      expect(m.toRecipients).toHaveLength(parts.to.length);
      const withBytes = item.attachments.filter((a) => a.bytes);
      expect(m.attachments.map((a) => a.bytes)).toEqual(withBytes.map((a) => a.bytes));
      expect(prop(m, PROP.attachmentCount)).toBe(String(withBytes.length));
    }
    // The folder was looked up and created once, then taken from the cache.
    const folderCalls = emu.log.filter((r) => r.path.endsWith('/mailFolders'));
    expect(folderCalls.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 201']);
    expect(emu.mailbox(MAILBOX).folders.map((f) => f.displayName)).toEqual([FOLDER]);
  });

  it('answers duplicate for an item already there, and has() knows it', async () => {
    const dest = destination(emu, fakeClock());
    const item = sampleItems().find((i) => i.attachments.some((a) => a.bytes)) ?? textItem(1);
    expect(await dest.has(item.key, MAILBOX)).toBe(false);
    const first = await dest.deliver(item, MAILBOX);
    const again = await dest.deliver(item, MAILBOX);
    expect(first.status).toBe('delivered');
    expect(again).toEqual({ status: 'duplicate', remoteId: first.remoteId });
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
    expect(await dest.has(item.key, MAILBOX)).toBe(true);
    expect(await dest.has(`${item.key}x`, MAILBOX)).toBe(false);
    // A restarted process (no cache) sees the same.
    const restarted = destination(emu, fakeClock());
    expect((await restarted.deliver(item, MAILBOX)).status).toBe('duplicate');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
  });

  it('keeps items whose keys differ only in case apart, although Graph compares values without case', async () => {
    const dest = destination(emu, fakeClock());
    const lower = textItem(1, 'abc');
    const upper = textItem(2, 'ABC');
    expect((await dest.deliver(lower, MAILBOX)).status).toBe('delivered');
    expect(await dest.has(upper.key, MAILBOX)).toBe(false);
    expect((await dest.deliver(upper, MAILBOX)).status).toBe('delivered');
    expect(
      emu
        .messages(MAILBOX, FOLDER)
        .map((m) => prop(m, PROP.sourceItemId))
        .sort(),
    ).toEqual([lower.key, upper.key].sort());
  });

  it('uses a folder another worker created meanwhile (409) and ends with one folder', async () => {
    const a = destination(emu, fakeClock());
    const b = destination(emu, fakeClock());
    const results = await Promise.all([a.deliver(textItem(1), OTHER), b.deliver(textItem(2), OTHER)]);
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(emu.mailbox(OTHER).folders).toHaveLength(1);
    expect(emu.messages(OTHER, FOLDER)).toHaveLength(2);
    expect(emu.log.some((r) => r.method === 'POST' && r.path.endsWith('/mailFolders') && r.status === 409)).toBe(true);
  });

  it('finds the folder again after a user deletes it', async () => {
    const dest = destination(emu, fakeClock());
    await dest.deliver(textItem(1), MAILBOX);
    const mb = emu.mailbox(MAILBOX);
    mb.folders.length = 0;
    mb.messages.length = 0;
    expect((await dest.deliver(textItem(2), MAILBOX)).status).toBe('delivered');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
  });

  it('holds an item for a mailbox Exchange does not know, saying to check the mapping', async () => {
    const dest = destination(emu, fakeClock());
    const err = await dest.deliver(textItem(1), 'nobody@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect((err as DestinationError).failure).toBe('permanent');
    expect((err as DestinationError).message).toMatch(/nobody@example.com not found.*check the mapping/);
  });

  it('reports a message Graph refuses (too large a body) as permanent with its reason', async () => {
    const dest = destination(emu, fakeClock());
    const huge = textItem(1, 'huge', 'word '.repeat(1_000_000));
    const err = (await dest.deliver(huge, MAILBOX).catch((e: unknown) => e)) as DestinationError;
    expect(err.failure).toBe('permanent');
    expect(err.message).toContain('413');
  });
});
