// Attachments of every size class through the Graph emulator: inline under 3 MB, upload
// sessions up to 150 MB in ranges under 4 MB (resumed after a lost answer), the gap between
// 3,000,000 bytes and 3 MiB, and files over the limit replaced by a note.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, GRAPH_MAX_ATTACHMENT_BYTES, graphDestinationSchema } from '../../src/destinations/graph/index.js';
import type { GraphEmulator } from './emulator.js';
import { bigBytes, destination, emulator, fakeClock, FOLDER, itemWithFiles, MAILBOX } from './helpers.js';

const MIB = 1024 * 1024;
let emu: GraphEmulator;
beforeEach(async () => {
  emu = await emulator();
});
afterEach(async () => {
  await emu.close();
});

describe('Graph destination: attachments', () => {
  it('attaches a 60 MB file through an upload session, in ranges under 4 MB, byte for byte', async () => {
    // A tenant whose maximum receive size was raised to 150 MB takes the whole item.
    await emu.close();
    emu = await emulator({ maxMessageBytes: 150 * MIB });
    const bytes = bigBytes(60 * MIB);
    const item = itemWithFiles('big', [
      { name: 'site-visit.mp4', bytes },
      { name: 'small.jpg', bytes: bigBytes(1000, 3) },
    ]);
    const out = await destination(emu, fakeClock(), { maxMessageBytes: 150 * MIB }).deliver(item, MAILBOX);
    expect(out.status).toBe('delivered');
    const [m] = emu.messages(MAILBOX, FOLDER);
    const big = m?.attachments.find((a) => a.name === 'site-visit.mp4');
    expect(big?.via).toBe('session');
    expect(big?.bytes.equals(bytes)).toBe(true);
    expect(m?.attachments.find((a) => a.name === 'small.jpg')?.via).toBe('inline');
    expect(emu.store.chunkSizes).toHaveLength(Math.ceil(bytes.length / CHUNK_BYTES));
    expect(Math.max(...emu.store.chunkSizes)).toBeLessThanOrEqual(4 * MIB);
    // No PUT to the pre-authenticated URL carried an Authorization header.
    expect(emu.log.filter((r) => r.method === 'PUT').every((r) => !r.authorization)).toBe(true);
  });

  it('resumes an upload session from nextExpectedRanges when a range was stored but its answer lost', async () => {
    const bytes = bigBytes(10 * MIB, 11);
    emu.faults.dropConnection('after-chunk', 1);
    const out = await destination(emu, fakeClock()).deliver(
      itemWithFiles('resume', [{ name: 'scan.pdf', bytes }]),
      MAILBOX,
    );
    expect(out.status).toBe('delivered');
    const a = emu.messages(MAILBOX, FOLDER)[0]?.attachments;
    expect(a).toHaveLength(1);
    expect(a?.[0]?.bytes.equals(bytes)).toBe(true);
    expect(emu.faults.dropped).toEqual(['after-chunk']);
    // Every byte was stored once: the range whose answer was lost was not sent again.
    expect(emu.store.chunkSizes.reduce((s, n) => s + n, 0)).toBe(bytes.length);
    expect(emu.log.some((r) => r.method === 'GET' && r.path.includes('AttachmentSessions'))).toBe(true);
  });

  it('sends a file between 3,000,000 bytes and 3 MiB inline when the session refuses it as too small', async () => {
    const bytes = bigBytes(3_100_000, 5);
    const out = await destination(emu, fakeClock()).deliver(
      itemWithFiles('edge', [{ name: 'edge.bin', bytes }]),
      MAILBOX,
    );
    expect(out.status).toBe('delivered');
    const a = emu.messages(MAILBOX, FOLDER)[0]?.attachments[0];
    expect(a?.via).toBe('inline');
    expect(a?.bytes.equals(bytes)).toBe(true);
  });

  it('replaces a file over the limit by a note (name, size, SHA-256) and reports partial', async () => {
    expect(graphDestinationSchema.shape.maxAttachmentBytes.parse(undefined)).toBe(150 * MIB);
    expect(GRAPH_MAX_ATTACHMENT_BYTES).toBe(150 * MIB);
    const huge = bigBytes(6 * MIB, 9);
    const sha = createHash('sha256').update(huge).digest('hex');
    const small = bigBytes(2000, 1);
    const item = itemWithFiles('over', [
      { name: 'recording.mp4', bytes: huge },
      { name: 'photo.jpg', bytes: small },
    ]);
    const dest = destination(emu, fakeClock(), { maxAttachmentBytes: 5 * MIB });
    const out = await dest.deliver(item, MAILBOX);
    expect(out.status).toBe('partial');
    expect(out.status === 'partial' && out.reason).toContain(`recording.mp4: 6.0 MB (6,291,456 bytes), SHA-256 ${sha}`);
    expect(out.status === 'partial' && out.omitted).toEqual([
      { name: 'recording.mp4', size: huge.length, sha256: sha, reason: 'too-large' },
    ]);
    const [m] = emu.messages(MAILBOX, FOLDER);
    expect(m?.attachments.map((a) => a.name)).toEqual(['photo.jpg']);
    expect(m?.body).toContain(`SHA-256 ${sha}`);
    expect(m?.body).toContain('recording.mp4');
    // Complete as planned: has() agrees and a second delivery writes nothing.
    expect(await dest.has(item.key, MAILBOX)).toBe(true);
    expect((await dest.deliver(item, MAILBOX)).status).toBe('partial');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
    expect(emu.messages(MAILBOX, FOLDER)[0]?.attachments).toHaveLength(1);
  });

  it('gives attachments of the same name distinct names, so none is mistaken for another', async () => {
    const item = itemWithFiles('names', [
      { name: 'image.jpg', bytes: bigBytes(100, 1) },
      { name: 'IMAGE.jpg', bytes: bigBytes(100, 2) },
      { name: 'expired.jpg', bytes: undefined },
      { name: 'image.jpg', bytes: bigBytes(100, 3) },
    ]);
    await destination(emu, fakeClock()).deliver(item, MAILBOX);
    const names = emu.messages(MAILBOX, FOLDER)[0]?.attachments.map((a) => a.name);
    expect(names).toEqual(['image.jpg', 'IMAGE (2).jpg', 'image (3).jpg']);
  });
});
