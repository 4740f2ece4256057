// Exactly one complete copy across crashes and lost answers: a message created whose answer
// never came back, a process that died between the message and its attachments, an
// attachment stored whose answer was lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DestinationError } from '../../src/destinations/types.js';
import type { GraphEmulator } from './emulator.js';
import { bigBytes, destination, emulator, fakeClock, FOLDER, itemWithFiles, MAILBOX } from './helpers.js';

let emu: GraphEmulator;
beforeEach(async () => {
  emu = await emulator();
});
afterEach(async () => {
  await emu.close();
});

const files = () => [
  { name: 'contract.pdf', bytes: bigBytes(5000, 1) },
  { name: 'video.mp4', bytes: bigBytes(4 * 1024 * 1024, 2) },
];

describe('Graph destination: exactly once', () => {
  it('finishes a message whose creation answer was lost instead of creating a second one', async () => {
    emu.faults.dropConnection('after-create-message', 1);
    const item = itemWithFiles('lost-create', files());
    const out = await destination(emu, fakeClock()).deliver(item, MAILBOX);
    expect(out.status).toBe('delivered');
    expect(emu.faults.dropped).toEqual(['after-create-message']);
    const msgs = emu.messages(MAILBOX, FOLDER);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.attachments.map((a) => a.name).sort()).toEqual(['contract.pdf', 'video.mp4']);
  });

  it('after a crash between the message and its attachments, a restarted process completes it once', async () => {
    const item = itemWithFiles('crash', files());
    // The first process creates the message, then every attachment request fails until it gives up.
    emu.faults.failNext({ status: 503, count: 100, method: 'POST', pathIncludes: '/attachments' });
    const first = destination(emu, fakeClock(), { maxRetries: 2 });
    const err = (await first.deliver(item, MAILBOX).catch((e: unknown) => e)) as DestinationError;
    expect(err.failure).toBe('transient');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
    expect(emu.messages(MAILBOX, FOLDER)[0]?.attachments).toHaveLength(0);
    // The unfinished copy does not count as delivered.
    expect(await first.has(item.key, MAILBOX)).toBe(false);

    emu.faults.clear();
    const restarted = destination(emu, fakeClock());
    const out = await restarted.deliver(item, MAILBOX);
    expect(out.status).toBe('delivered');
    const msgs = emu.messages(MAILBOX, FOLDER);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.attachments.map((a) => a.name).sort()).toEqual(['contract.pdf', 'video.mp4']);
    expect(await restarted.has(item.key, MAILBOX)).toBe(true);
    expect((await restarted.deliver(item, MAILBOX)).status).toBe('duplicate');
  });

  it('replaces an unfinished copy made under another size limit instead of leaving it without its note', async () => {
    const item = itemWithFiles('replan', files());
    emu.faults.failNext({ status: 503, count: 100, method: 'POST', pathIncludes: '/attachments' });
    await destination(emu, fakeClock(), { maxRetries: 1 })
      .deliver(item, MAILBOX)
      .catch(() => undefined);
    expect(emu.messages(MAILBOX, FOLDER)[0]?.attachments).toHaveLength(0);
    emu.faults.clear();
    // The operator lowers the limit below the video's size before the retry.
    const out = await destination(emu, fakeClock(), { maxAttachmentBytes: 1024 * 1024 }).deliver(item, MAILBOX);
    expect(out.status).toBe('partial');
    const msgs = emu.messages(MAILBOX, FOLDER);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.attachments.map((a) => a.name)).toEqual(['contract.pdf']);
    expect(msgs[0]?.body).toContain('video.mp4');
  });

  it('does not add an attachment twice when its answer was lost', async () => {
    emu.faults.dropConnection('after-attach', 1);
    const item = itemWithFiles('lost-attach', files());
    expect((await destination(emu, fakeClock()).deliver(item, MAILBOX)).status).toBe('delivered');
    const names = emu.messages(MAILBOX, FOLDER)[0]?.attachments.map((a) => a.name);
    expect(names?.sort()).toEqual(['contract.pdf', 'video.mp4']);
  });

  it('completes an upload whose final range was stored but its answer lost, without a second copy', async () => {
    const item = itemWithFiles('lost-final', [{ name: 'video.mp4', bytes: bigBytes(4 * 1024 * 1024, 2) }]);
    // Two ranges: drop the answer to both, so the last one's 201 never arrives.
    emu.faults.dropConnection('after-chunk', 2);
    expect((await destination(emu, fakeClock()).deliver(item, MAILBOX)).status).toBe('delivered');
    expect(emu.messages(MAILBOX, FOLDER)[0]?.attachments).toHaveLength(1);
  });
});
