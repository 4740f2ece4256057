// Importing rendered items into Gmail mailboxes through the emulator: the stored bytes, label
// and date, duplicates and lost answers, the label's life cycle, and mailboxes that cannot
// take items.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GMAIL_MAX_MESSAGE_BYTES } from '../../src/destinations/gmail/index.js';
import { DestinationError, type RenderedItem } from '../../src/destinations/types.js';
import type { GmailEmulator } from './emulator.js';
import {
  destination,
  emulator,
  fakeClock,
  LABEL,
  MAILBOX,
  OTHER,
  sampleItems,
  SA_EMAIL,
  textItem,
  toSecond,
  type FakeClock,
} from './helpers.js';

let clock: FakeClock;
let emu: GmailEmulator;
beforeEach(async () => {
  clock = fakeClock();
  emu = await emulator(clock, { usersWithoutGmail: ['no.gmail@example.com'] });
});
afterEach(async () => {
  await emu.close();
});

async function failure(p: Promise<unknown>): Promise<DestinationError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DestinationError);
  return err as DestinationError;
}

describe('Gmail destination: delivery', () => {
  it('imports every sample item once into two mailboxes: same bytes, our label only, dated at the item time', async () => {
    const dest = destination(emu, clock);
    const items = sampleItems();
    for (const mailbox of [MAILBOX, OTHER]) {
      for (const item of items) expect((await dest.deliver(item, mailbox)).status).toBe('delivered');
    }
    for (const mailbox of [MAILBOX, OTHER]) {
      const box = emu.mailbox(mailbox);
      const label = box.labels.find((l) => l.name === LABEL);
      expect(label?.type).toBe('user');
      expect(box.messages).toHaveLength(items.length);
      for (const item of items) {
        const m = box.messages.find((x) => x.messageId === item.messageId);
        expect(m, item.key).toBeDefined();
        if (!m) continue;
        expect(m.raw.equals(item.mime)).toBe(true);
        // Not in the inbox, not unread: only the archive label.
        expect(m.labelIds).toEqual([label?.id]);
        expect(m.internalDate).toBe(toSecond(item.time));
        expect(m.params).toEqual({
          uploadType: 'multipart',
          internalDateSource: 'dateHeader',
          neverMarkSpam: 'true',
          processForCalendar: 'false',
        });
      }
    }
    // One label lookup and creation per mailbox, then the cache; one token per mailbox.
    const labelCalls = emu.log.filter((r) => r.route === 'labels.list' || r.route === 'labels.create');
    expect(labelCalls.map((r) => `${r.route} ${r.user} ${r.status}`)).toEqual([
      `labels.list ${MAILBOX} 200`,
      `labels.create ${MAILBOX} 200`,
      `labels.list ${OTHER} 200`,
      `labels.create ${OTHER} 200`,
    ]);
    expect(emu.auth.requests.map((r) => [r.iss, r.sub, r.status])).toEqual([
      [SA_EMAIL, MAILBOX, 200],
      [SA_EMAIL, OTHER, 200],
    ]);
  });

  it('answers duplicate for an item already there, and has() knows it without writing', async () => {
    const dest = destination(emu, clock);
    const item = textItem(1);
    const first = await dest.deliver(item, MAILBOX);
    expect(first.status).toBe('delivered');
    const again = await destination(emu, clock).deliver(item, MAILBOX);
    expect(again).toEqual({ status: 'duplicate', remoteId: first.remoteId });
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(1);
    expect(await dest.has(item.key, MAILBOX)).toBe(true);
    expect(await dest.has(textItem(2).key, MAILBOX)).toBe(false);
    // A mailbox without the label: no copy, and the label is not created by looking.
    expect(await dest.has(item.key, OTHER)).toBe(false);
    expect(emu.mailbox(OTHER).labels.some((l) => l.name === LABEL)).toBe(false);
    // The search must name our label and include trash (a trashed copy is still a copy).
    const search = emu.log.filter((r) => r.route === 'messages.list').at(-1);
    const q = new URLSearchParams(search?.query);
    expect(q.get('q')).toBe(`rfc822msgid:${textItem(2).messageId}`);
    expect(q.get('labelIds')).toMatch(/^Label_/);
    expect(q.get('includeSpamTrash')).toBe('true');
  });

  it('finds a copy a user trashed instead of importing a second one', async () => {
    const dest = destination(emu, clock);
    const item = textItem(3);
    await dest.deliver(item, MAILBOX);
    emu.mailbox(MAILBOX).messages[0]?.labelIds.push('TRASH');
    expect((await destination(emu, clock).deliver(item, MAILBOX)).status).toBe('duplicate');
  });

  it('keeps one copy when the answer to an import is lost after Gmail stored it', async () => {
    const dest = destination(emu, clock);
    const item = textItem(4);
    emu.faults.dropAfterImport = 1;
    const out = await dest.deliver(item, MAILBOX);
    const stored = emu.mailbox(MAILBOX).messages;
    expect(stored).toHaveLength(1);
    expect(out).toEqual({ status: 'delivered', remoteId: stored[0]?.id });
    expect(emu.log.filter((r) => r.route === 'import').map((r) => r.status)).toEqual([0]);
  });

  it('retries a 503 on import (after looking) and a 500 on search, storing one copy', async () => {
    const dest = destination(emu, clock);
    emu.faults.fail('import', 503, 2);
    emu.faults.fail('messages.list', 500, 1);
    expect((await dest.deliver(textItem(5), MAILBOX)).status).toBe('delivered');
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(1);
    expect(emu.log.filter((r) => r.route === 'import').map((r) => r.status)).toEqual([503, 503, 200]);
    // Backoff with jitter 0.5: 750 ms (500 on search), then 750 ms and 1,500 ms between imports.
    expect(clock.waits).toEqual([750, 750, 1500]);
  });

  it('gives up on a lasting 5xx as transient after maxRetries', async () => {
    const dest = destination(emu, clock, { maxRetries: 2 });
    emu.faults.fail('import', 502, 5);
    const err = await failure(dest.deliver(textItem(6), MAILBOX));
    expect(err.failure).toBe('transient');
    expect(err.message).toContain('502');
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(0);
  });

  it('re-creates the label a user deleted, and finds a label another worker just created (409)', async () => {
    const dest = destination(emu, clock);
    await dest.deliver(textItem(7), MAILBOX);
    const box = emu.mailbox(MAILBOX);
    box.labels = box.labels.filter((l) => l.name !== LABEL);
    expect((await dest.deliver(textItem(8), MAILBOX)).status).toBe('delivered');
    const label = box.labels.find((l) => l.name === LABEL);
    expect(box.messages.at(-1)?.labelIds).toEqual([label?.id]);

    // Another worker creates the label between our lookup and our create.
    const racing: typeof fetch = async (input, init) => {
      const url = String(input);
      if (init?.method === 'POST' && url.endsWith('/labels')) emu.store.labelsCreate(OTHER, { name: LABEL });
      return fetch(input, init);
    };
    expect((await destination(emu, clock, {}, { fetch: racing }).deliver(textItem(9), OTHER)).status).toBe('delivered');
    const other = emu.mailbox(OTHER);
    expect(other.labels.filter((l) => l.name === LABEL)).toHaveLength(1);
    expect(emu.log.filter((r) => r.route === 'labels.create' && r.user === OTHER).map((r) => r.status)).toEqual([409]);
    expect(other.messages[0]?.labelIds).toEqual([other.labels.find((l) => l.name === LABEL)?.id]);
  });

  it('refuses an item over 150 MB without sending it, naming its size and the limit', async () => {
    const dest = destination(emu, clock);
    const item: RenderedItem = { ...textItem(10), mime: Buffer.alloc(GMAIL_MAX_MESSAGE_BYTES + 1) };
    const err = await failure(dest.deliver(item, MAILBOX));
    expect(err.failure).toBe('permanent');
    expect(err.message).toContain('157,286,401 bytes');
    expect(err.message).toContain('limit of 150.0 MB (157,286,400 bytes)');
    expect(emu.log).toHaveLength(0);
  });

  it("holds an item Gmail refuses as too large (413) with Google's message", async () => {
    await emu.close();
    emu = await emulator(clock, { maxMessageBytes: 1024 });
    const err = await failure(destination(emu, clock).deliver(textItem(11), MAILBOX));
    expect(err.failure).toBe('permanent');
    expect(err.message).toContain('413');
    expect(err.message).toContain('Request Entity Too Large');
  });

  it('holds deliveries to a user without Gmail or unknown to Google, and goes on with the others', async () => {
    const dest = destination(emu, clock);
    const noGmail = await failure(dest.deliver(textItem(12), 'no.gmail@example.com'));
    expect(noGmail.failure).toBe('permanent');
    expect(noGmail.message).toContain('Mail service not enabled');
    const unknown = await failure(dest.deliver(textItem(13), 'nobody@example.com'));
    expect(unknown.failure).toBe('permanent');
    expect(unknown.message).toContain('nobody@example.com');
    expect(unknown.message).toContain('Invalid email or User ID');
    expect((await dest.deliver(textItem(14), MAILBOX)).status).toBe('delivered');
  });

  it('check() verifies the key, the delegation, the label and the search without writing', async () => {
    const before = await destination(emu, clock, { checkMailbox: MAILBOX }).check();
    expect(before.ok).toBe(true);
    expect(before.details.join('\n')).toContain('does not exist yet');
    await destination(emu, clock).deliver(textItem(15), MAILBOX);
    const after = await destination(emu, clock, { checkMailbox: MAILBOX }).check();
    expect(after).toEqual({
      ok: true,
      details: [
        expect.stringContaining('is accepted'),
        expect.stringContaining(`act as ${MAILBOX}`),
        `label "${LABEL}" found in ${MAILBOX}`,
        expect.stringContaining('searching by Message-ID works'),
      ],
    });
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(1);
    const bare = await destination(emu, clock).check();
    expect(bare.ok).toBe(true);
    expect(bare.details[1]).toContain('no checkMailbox');
  });
});
