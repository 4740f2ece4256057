// Gmail as it really behaves on the limits that matter to an archive: blocked attachment types
// (an .apk and an .exe in a WeChat message), the project-wide quota that pauses every mailbox,
// and a user's daily upload volume that pauses one mailbox for hours. Each through the
// delivery stage against the emulator: nothing lost, nothing doubled, a pause is not a failure.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBlockedAttachment, zipEntryNames } from '../../src/destinations/gmail/blocked-types.js';
import { DestinationError, type Destination, type RenderedItem } from '../../src/destinations/types.js';
import { deliverDue, deliverOrReduce, type DeliverOptions } from '../../src/pipeline/deliver.js';
import { messageIdFor, renderMime } from '../../src/render/index.js';
import { sampleCases, type SampleCase } from '../helpers/render-fixtures.js';
import { listPausedDeliveries, openStore, type Store } from '../../src/store/index.js';
import { archiveItem, queueDelivery } from '../helpers/deliveries.js';
import { zip } from '../helpers/zip.js';
import type { GmailEmulator } from './emulator.js';
import { destination, emulator, fakeClock, LABEL, MAILBOX, OTHER, textItem, type FakeClock } from './helpers.js';

const THIRD = 'wang.fang@example.com';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A WeChat file message carrying these files, rendered the way the pipeline renders it. */
function fileMessage(key: string, files: { name: string; bytes: Buffer }[]): { item: RenderedItem; c: SampleCase } {
  const base = sampleCases().find((x) => x.name === 'file') as SampleCase;
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${key}`,
    msgid: `${base.msg.msgid}-${key}`,
    content: { kind: 'file' as const, attachment: 0, filename: files[0]!.name },
    attachments: files.map((f, i) => ({
      sdkfileid: `sdk-${key}-${i}`,
      filename: f.name,
      contentType: 'application/octet-stream',
      size: f.bytes.length,
      role: 'media' as const,
    })),
  };
  const c: SampleCase = { ...base, msg, ctx: { ...base.ctx, attachmentBytes: (i) => files[i]?.bytes } };
  const item: RenderedItem = {
    key: msg.key,
    messageId: messageIdFor(msg.key),
    mime: renderMime(msg, c.ctx),
    time: msg.time,
    model: msg,
    attachments: files.map((f, i) => ({ ref: msg.attachments[i]!, bytes: f.bytes })),
  };
  return { item, c };
}

/** The pipeline's re-render without some attachments, each with the note it is given. */
function rerenderOf(c: SampleCase): NonNullable<DeliverOptions['rerender']> {
  return (item, omit, note) =>
    renderMime(item.model, {
      ...c.ctx,
      attachmentBytes: (i) => (omit.has(i) ? undefined : item.attachments[i]?.bytes),
      attachmentMissingReason: (i) => (omit.has(i) ? note(i) : undefined),
    });
}

describe('Gmail destination: blocked attachment types', () => {
  let emu: GmailEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('delivers a message with an .apk and an .exe as a partial copy: the other file kept, each refused file noted', async () => {
    const clock = fakeClock();
    emu = await emulator(clock);
    const apk = Buffer.from('PK\x03\x04 an android package', 'latin1');
    const exe = Buffer.from('MZ a windows program', 'latin1');
    const photo = Buffer.from('\xff\xd8\xff\xe0 a photo', 'latin1');
    const { item, c } = fileMessage('blocked', [
      { name: 'wechat-mod.apk', bytes: apk },
      { name: 'setup.exe', bytes: exe },
      { name: 'photo.jpg', bytes: photo },
    ]);
    const dest = destination(emu, clock);
    const out = await deliverOrReduce(dest, item, MAILBOX, { rerender: rerenderOf(c) });
    expect(emu.store.blockedRefusals).toBe(1);
    expect(out.status).toBe('partial');
    expect(out.status === 'partial' && out.omitted).toEqual([
      { name: 'wechat-mod.apk', size: apk.length, sha256: sha(apk), reason: 'blocked-type' },
      { name: 'setup.exe', size: exe.length, sha256: sha(exe), reason: 'blocked-type' },
    ]);
    expect(out.status === 'partial' && out.reason).toContain('blocked attachment type');
    const stored = emu.labelled(MAILBOX, LABEL);
    expect(stored).toHaveLength(1);
    const raw = stored[0]!.raw.toString('latin1');
    // The photo is attached; the refused files are not, and the copy says why for each.
    expect(raw).toMatch(/filename="?photo\.jpg/);
    expect(raw).not.toMatch(/filename="?wechat-mod\.apk/);
    expect(raw).not.toMatch(/filename="?setup\.exe/);
    const text = Buffer.from(
      raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
    expect(text).toContain(`SHA-256 ${sha(apk)}`);
    expect(text).toContain(`SHA-256 ${sha(exe)}`);
    // Exactly one copy: a second delivery finds it.
    expect((await dest.deliver(item, MAILBOX)).status).toBe('duplicate');
    expect(emu.labelled(MAILBOX, LABEL)).toHaveLength(1);
  });
});

describe('Gmail destination: blocked types inside archives', () => {
  it('reads the names in a ZIP the way Gmail looks into it', () => {
    const bad = zip(['docs/readme.txt', 'tools/setup.exe']);
    expect(zipEntryNames(bad)).toEqual(['docs/readme.txt', 'tools/setup.exe']);
    expect(isBlockedAttachment('bundle.zip', bad)).toBe(true);
    expect(isBlockedAttachment('bundle.zip', zip(['a.pdf', 'b.jpg']))).toBe(false);
    expect(zipEntryNames(Buffer.from('not a zip'))).toEqual([]);
  });

  it('is refused by Gmail for a program inside a ZIP, and names the ZIP as the refused file', async () => {
    const clock = fakeClock();
    const emu = await emulator(clock);
    try {
      const { item } = fileMessage('zipped', [
        { name: 'notes.pdf', bytes: Buffer.from('%PDF-1.4 notes') },
        { name: 'tools.zip', bytes: zip(['setup.exe']) },
        { name: 'photos.zip', bytes: zip(['a.jpg']) },
      ]);
      const err = await destination(emu, clock)
        .deliver(item, MAILBOX)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(DestinationError);
      expect((err as DestinationError).refused).toEqual([{ index: 1, reason: 'blocked-type' }]);
      expect(emu.store.blockedRefusals).toBe(1);
      expect(emu.labelled(MAILBOX, LABEL)).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });
});

/** An archive with the items, each queued for every mailbox of the Gmail destination. */
async function seed(store: Store, items: RenderedItem[], mailboxes: string[]): Promise<void> {
  for (const [n, item] of items.entries()) {
    await archiveItem(store, item, n);
    for (const mailbox of mailboxes) await queueDelivery(store, { destinationId: 'gmail', itemKey: item.key, mailbox });
  }
}

describe('Gmail destination: quotas that pause deliveries', () => {
  let dir: string;
  let store: Store;
  let emu: GmailEmulator;
  let clock: FakeClock;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-gmail-limits-'));
    store = await openStore(dir);
    clock = fakeClock();
  });
  afterEach(async () => {
    await emu.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (dest: Destination) =>
    deliverDue(store, [{ id: 'gmail', destination: dest, perMailbox: 1, overall: 3 }], {
      now: clock.now,
      random: () => 0.5,
    });

  it.each([429, 403] as const)(
    'the project-wide limit (answered %i) pauses every mailbox until Retry-After, then all resume: nothing lost or doubled',
    async (status) => {
      // The project's quota for 10 minutes covers the label set-up and a few imports, no more.
      emu = await emulator(clock, {
        users: [MAILBOX, OTHER, THIRD],
        quota: { units: 6_000, windowMs: 10 * 60_000 },
        projectUnits: 3 * 6 + 5 * (5 + 25),
        rateLimitStatus: status,
      });
      const items = Array.from({ length: 4 }, (_, n) => textItem(n));
      await seed(store, items, [MAILBOX, OTHER, THIRD]);
      const dest = destination(emu, clock, { maxRetryWaitSeconds: 30 });
      const first = await run(dest);
      expect(emu.store.project.refused).toBeGreaterThan(0);
      // A pause of the destination, not a failure: nothing held, no attempt counted.
      expect(first.held).toEqual({});
      expect(first.waiting.some((w) => w.destinationId === 'gmail' && w.mailbox === undefined)).toBe(true);
      const paused = await listPausedDeliveries(store.db, clock.now());
      expect(paused).toHaveLength(1);
      expect(paused[0]).toMatchObject({ destinationId: 'gmail', mailbox: undefined });
      expect(paused[0]!.deliveries).toBe(12 - first.delivered);
      const until = paused[0]!.until;
      expect(until).toBeGreaterThan(clock.now());
      // Before Retry-After has passed nothing is tried, for any mailbox.
      const requests = emu.log.length;
      clock.advance(until - clock.now() - 1000);
      expect((await run(dest)).delivered).toBe(0);
      expect(emu.log.length).toBe(requests);
      clock.advance(2000);
      // Each quota window takes a few more; every pause stops the whole destination again.
      let delivered = first.delivered;
      for (let round = 0; round < 10 && delivered < 12; round++) {
        const next = await run(dest);
        delivered += next.delivered;
        expect(next.held).toEqual({});
        const still = await listPausedDeliveries(store.db, clock.now());
        if (still.length === 0) break;
        expect(still.map((p) => p.mailbox)).toEqual([undefined]);
        clock.advance(still[0]!.until - clock.now() + 1000);
      }
      expect(delivered).toBe(12);
      for (const m of [MAILBOX, OTHER, THIRD]) {
        const ids = emu.labelled(m, LABEL).map((x) => x.messageId);
        expect(ids.sort()).toEqual(items.map((i) => i.messageId).sort());
      }
      expect(await listPausedDeliveries(store.db, clock.now())).toEqual([]);
      const rows = await store.db.selectFrom('deliveries').select(['status', 'attempts']).execute();
      expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    },
  );

  it("a user's daily upload limit pauses that mailbox for hours while the others go on", async () => {
    const items = Array.from({ length: 4 }, (_, n) => textItem(n));
    const size = items[0]!.mime.length;
    // Room for two items a day in the first mailbox's volume (the others are as limited, but fit).
    emu = await emulator(clock, {
      users: [MAILBOX, OTHER],
      dailyUpload: { bytes: Math.floor(size * 2.5), windowMs: 24 * 3600_000 },
    });
    await seed(store, items.slice(0, 2), [MAILBOX, OTHER]);
    await seed(store, items.slice(2), [MAILBOX]);
    const dest = destination(emu, clock);
    const first = await run(dest);
    expect(first.delivered).toBe(4);
    expect(first.held).toEqual({});
    expect(first.waiting).toEqual([{ destinationId: 'gmail', mailbox: MAILBOX, until: expect.any(Number) }]);
    const paused = await listPausedDeliveries(store.db, clock.now());
    expect(paused).toEqual([expect.objectContaining({ destinationId: 'gmail', mailbox: MAILBOX, deliveries: 2 })]);
    expect(paused[0]!.until - clock.now()).toBeGreaterThan(3600_000);
    expect(emu.labelled(OTHER, LABEL)).toHaveLength(2);
    clock.advance(paused[0]!.until - clock.now() + 1000);
    const second = await run(dest);
    expect(second.delivered).toBe(2);
    expect(
      emu
        .labelled(MAILBOX, LABEL)
        .map((m) => m.messageId)
        .sort(),
    ).toEqual(items.map((i) => i.messageId).sort());
  });
});
