// Exchange Online's size and volume limits through the Graph emulator: the whole message is
// capped at the tenant's maximum receive size (35 MB by default), an upload that crosses a
// lower real limit is refused part-way with ErrorMessageSizeExceeded, and uploads are limited
// to 150 MB per mailbox in 5 minutes. Each item ends as exactly one copy, partial with a note
// when it had to be, and a large upload never starts again at byte 0.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, graphDestinationSchema } from '../../src/destinations/graph/index.js';
import { DestinationError, type DeliveryOutcome, type RenderedItem } from '../../src/destinations/types.js';
import { renderMime } from '../../src/render/index.js';
import { sampleCases, type SampleCase } from '../helpers/render-fixtures.js';
import { SecretBox, UPLOAD_SESSION_SEAL } from '../../src/security/index.js';
import { openStore, uploadSessionStore, type Store } from '../../src/store/index.js';
import type { GraphEmulator } from './emulator.js';
import { bigBytes, destination, emulator, fakeClock, FOLDER, itemWithFiles, MAILBOX } from './helpers.js';

const MIB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let emu: GraphEmulator | undefined;
let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.close();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  emu = store = dir = undefined;
});

/**
 * A file item whose MIME is rendered without the file (the Graph client takes the bytes from
 * the item, not from the MIME), so a 150 MB test holds the file once, not also its base64.
 */
function itemWithFile(key: string, name: string, bytes: Buffer): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'file') as SampleCase;
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${key}`,
    msgid: `${base.msg.msgid}-${key}`,
    content: { kind: 'file' as const, attachment: 0, filename: name },
    attachments: [
      { sdkfileid: `sdk-${key}`, filename: name, contentType: 'video/mp4', size: bytes.length, role: 'media' as const },
    ],
  };
  return {
    key: msg.key,
    messageId: `<${msg.key}@test>`,
    mime: renderMime(msg, { ...base.ctx, attachmentBytes: () => undefined }),
    time: msg.time,
    model: msg,
    attachments: [{ ref: msg.attachments[0]!, bytes }],
  };
}

describe('Graph destination: message size limit', () => {
  it('delivers a 60 MB item into a 35 MB tenant once, as a partial copy with the note', async () => {
    emu = await emulator();
    const video = bigBytes(60 * MIB, 21);
    const photo = bigBytes(200_000, 22);
    const item = itemWithFiles('sixty', [
      { name: 'site-visit.mp4', bytes: video },
      { name: 'photo.jpg', bytes: photo },
    ]);
    expect(graphDestinationSchema.shape.maxMessageBytes.parse(undefined)).toBe(35 * MIB);
    const dest = destination(emu, fakeClock());
    const out = await dest.deliver(item, MAILBOX);
    expect(out.status).toBe('partial');
    expect(out.status === 'partial' && out.omitted).toEqual([
      { name: 'site-visit.mp4', size: video.length, sha256: sha(video), reason: 'too-large' },
    ]);
    const copies = emu.messages(MAILBOX, FOLDER);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.attachments.map((a) => a.name)).toEqual(['photo.jpg']);
    expect(copies[0]?.body).toContain(`site-visit.mp4: 60 MB (62,914,560 bytes), SHA-256 ${sha(video)}`);
    expect(copies[0]?.body).toContain('35 MB (36,700,160 bytes) this mailbox accepts');
    // Planned from the start: Exchange never had to refuse anything, and no upload session ran.
    expect(emu.store.sizeExceeded).toBe(0);
    expect(emu.store.chunkSizes).toEqual([]);
    // Complete as planned: a second delivery writes nothing.
    expect((await dest.deliver(item, MAILBOX)).status).toBe('partial');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
  });

  it('delivers the same 60 MB item whole when the tenant and the destination allow 150 MB', async () => {
    emu = await emulator({ maxMessageBytes: 150 * MIB, keepUploadBytes: false });
    const video = bigBytes(60 * MIB, 21);
    const item = itemWithFile('sixty-whole', 'site-visit.mp4', video);
    const out = await destination(emu, fakeClock(), { maxMessageBytes: 150 * MIB }).deliver(item, MAILBOX);
    expect(out.status).toBe('delivered');
    const [m] = emu.messages(MAILBOX, FOLDER);
    expect(m?.attachments.map((a) => [a.name, a.size, a.sha256])).toEqual([
      ['site-visit.mp4', video.length, sha(video)],
    ]);
    expect(m?.body).not.toContain('SHA-256');
  });

  it('an upload cut by ErrorMessageSizeExceeded leaves exactly one copy: the partial one', async () => {
    // The tenant's real limit (20 MB) is below what the destination was told (35 MB).
    emu = await emulator({ maxMessageBytes: 20 * MIB });
    const video = bigBytes(25 * MIB, 31);
    const photo = bigBytes(50_000, 32);
    const item = itemWithFiles('cut', [
      { name: 'meeting.mp4', bytes: video },
      { name: 'photo.jpg', bytes: photo },
    ]);
    const dest = destination(emu, fakeClock());
    const out = await dest.deliver(item, MAILBOX);
    expect(emu.store.sizeExceeded).toBe(1);
    expect(out.status).toBe('partial');
    expect(out.status === 'partial' && out.omitted.map((o) => [o.name, o.reason])).toEqual([
      ['meeting.mp4', 'too-large'],
    ]);
    const copies = emu.messages(MAILBOX, FOLDER);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.attachments.map((a) => a.name)).toEqual(['photo.jpg']);
    expect(copies[0]?.body).toContain(`meeting.mp4: 25 MB (26,214,400 bytes), SHA-256 ${sha(video)}`);
    // The half-built copy was deleted, not left beside the partial one.
    expect(emu.log.filter((r) => r.method === 'DELETE' && r.path.includes('/messages/'))).toHaveLength(1);
    expect((await dest.deliver(item, MAILBOX)).status).toBe('partial');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1);
  });
});

describe('Graph destination: upload volume (150 MB per mailbox in 5 minutes)', () => {
  const SIZE = 150_000_000;

  it('paces a 150 MB attachment within the volume limit: never throttled, every byte sent once', async () => {
    const clock = fakeClock();
    emu = await emulator({ maxMessageBytes: 150 * MIB, keepUploadBytes: false, now: clock.now });
    // 150 MB as Exchange counts it (MiB), less room for the body: more than the 150,000,000
    // bytes the client allows itself in 5 minutes, so it has to wait for room part-way.
    const big = 150 * MIB - 64 * 1024;
    const file = bigBytes(big, 41);
    const out = await destination(emu, clock, { maxMessageBytes: 150 * MIB }).deliver(
      itemWithFile('paced', 'drone.mp4', file),
      MAILBOX,
    );
    expect(out.status).toBe('delivered');
    expect(emu.limits.volumeThrottled.get(MAILBOX) ?? 0).toBe(0);
    expect(emu.store.uploadedBytes.get(`${MAILBOX}/drone.mp4`)).toBe(big);
    // The client waited for room in the window (one wait of minutes), instead of being refused.
    expect(Math.max(...clock.waits)).toBeGreaterThan(60_000);
    const [m] = emu.messages(MAILBOX, FOLDER);
    expect(m?.attachments.map((a) => [a.size, a.sha256])).toEqual([[big, sha(file)]]);
  });

  it('resumes a throttled 150 MB upload from nextExpectedRanges after the wait and a restart, never from byte 0', async () => {
    const clock = fakeClock();
    // Exchange stricter than the client's pacing: 100 MB per 5 minutes.
    emu = await emulator({
      maxMessageBytes: 150 * MIB,
      keepUploadBytes: false,
      uploadVolume: { bytes: 100 * MIB, windowMs: 5 * 60_000 },
      now: clock.now,
    });
    dir = await mkdtemp(join(tmpdir(), 'wxa-graph-limits-'));
    store = await openStore(dir);
    // Sealed at rest as the runtime seals them: the pre-authenticated URL is a credential.
    const box = await SecretBox.open({ dataDir: dir, env: {} });
    const sessions = uploadSessionStore(store.db, { now: clock.now, seal: box.textSeal(UPLOAD_SESSION_SEAL) });
    const file = bigBytes(SIZE, 43);
    const item = itemWithFile('throttled', 'drone.mp4', file);
    let out: DeliveryOutcome | undefined;
    let handedBack = 0;
    for (let round = 0; round < 10 && !out; round++) {
      // A new destination each round: the process restarted while the delivery waited.
      const dest = destination(emu, clock, { maxMessageBytes: 150 * MIB }, { uploadSessions: sessions });
      try {
        out = await dest.deliver(item, MAILBOX);
      } catch (err) {
        if (!(err instanceof DestinationError) || err.failure !== 'throttled') throw err;
        handedBack++;
        // The session survives in the store while the delivery stage waits Retry-After.
        const kept = await store.db.selectFrom('upload_sessions').select('upload_url').execute();
        expect(kept).toHaveLength(1);
        expect(kept[0]?.upload_url).not.toContain('authtoken');
        await clock.sleep(err.retryAfterMs ?? 0);
      } finally {
        await dest.close();
      }
    }
    expect(out?.status).toBe('delivered');
    expect(handedBack).toBeGreaterThan(0);
    expect(emu.limits.volumeThrottled.get(MAILBOX) ?? 0).toBeGreaterThan(0);
    // Bytes Exchange took for this file over every session: the file once, plus at most a chunk.
    const received = emu.store.uploadedBytes.get(`${MAILBOX}/drone.mp4`) ?? 0;
    expect(received).toBeGreaterThanOrEqual(SIZE);
    expect(received).toBeLessThanOrEqual(SIZE + CHUNK_BYTES);
    expect(emu.log.filter((r) => r.path.endsWith('/createUploadSession'))).toHaveLength(1);
    const copies = emu.messages(MAILBOX, FOLDER);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.attachments.map((a) => [a.size, a.sha256])).toEqual([[SIZE, sha(file)]]);
    // Finished: nothing left to resume.
    expect(await store.db.selectFrom('upload_sessions').select('key').execute()).toHaveLength(0);
  });
});
