// Large items through a resumable upload session: chunked PUTs, resuming after a dropped
// connection or a 5xx from where the session says it is, a lost final answer, and a session
// that disappeared.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RenderedItem } from '../../src/destinations/types.js';
import type { GmailEmulator } from './emulator.js';
import { bigItem, destination, emulator, fakeClock, LABEL, MAILBOX, toSecond, type FakeClock } from './helpers.js';

const MIB = 1024 * 1024;
const CHUNK = 8 * MIB;

let clock: FakeClock;
let emu: GmailEmulator;
let big: RenderedItem;
beforeAll(() => {
  big = bigItem(15 * MIB);
});
beforeEach(async () => {
  clock = fakeClock();
  emu = await emulator(clock);
});
afterEach(async () => {
  await emu.close();
});

const puts = () => emu.log.filter((r) => r.route === 'upload.put');

function expectStoredOnce(item: RenderedItem) {
  const stored = emu.labelled(MAILBOX, LABEL);
  expect(stored).toHaveLength(1);
  expect(emu.mailbox(MAILBOX).messages).toHaveLength(1);
  const m = stored[0];
  expect(m?.raw.equals(item.mime)).toBe(true);
  expect(m?.internalDate).toBe(toSecond(item.time));
  expect(m?.params.uploadType).toBe('resumable');
  expect(m?.params.neverMarkSpam).toBe('true');
  return m;
}

describe('Gmail destination: resumable upload', () => {
  it('uploads a 20 MB item in 8 MiB chunks through one session, labelled and dated', async () => {
    expect(big.mime.length).toBeGreaterThan(20_000_000);
    const out = await destination(emu, clock).deliver(big, MAILBOX);
    const m = expectStoredOnce(big);
    expect(out).toEqual({ status: 'delivered', remoteId: m?.id });
    const total = big.mime.length;
    const starts = emu.log.filter((r) => r.route === 'import');
    expect(starts).toHaveLength(1);
    expect(new URLSearchParams(starts[0]?.query).get('uploadType')).toBe('resumable');
    expect(puts().map((r) => r.contentRange)).toEqual([
      `bytes 0-${CHUNK - 1}/${total}`,
      `bytes ${CHUNK}-${2 * CHUNK - 1}/${total}`,
      `bytes ${2 * CHUNK}-${total - 1}/${total}`,
    ]);
    expect(puts().map((r) => r.status)).toEqual([308, 308, 200]);
  });

  it('resumes after a connection dropped mid-chunk from the byte the session kept', async () => {
    const total = big.mime.length;
    const cut = 3 * MIB + 1234;
    emu.faults.dropUpload = { afterBytes: cut, times: 1 };
    expect((await destination(emu, clock).deliver(big, MAILBOX)).status).toBe('delivered');
    expectStoredOnce(big);
    const kept = 3 * MIB; // whole 256 KiB blocks of what arrived
    expect(puts().map((r) => [r.contentRange, r.status])).toEqual([
      [`bytes 0-${CHUNK - 1}/${total}`, 0],
      [`bytes */${total}`, 308],
      [`bytes ${kept}-${kept + CHUNK - 1}/${total}`, 308],
      [`bytes ${kept + CHUNK}-${kept + 2 * CHUNK - 1}/${total}`, 308],
      [`bytes ${kept + 2 * CHUNK}-${total - 1}/${total}`, 200],
    ]);
    // Nothing was sent twice but the part the session had not kept.
    const sent = puts().reduce((n, r) => n + r.bytesIn, 0);
    expect(sent).toBe(total + (cut - kept));
    expect(emu.log.filter((r) => r.route === 'import')).toHaveLength(1);
  });

  it('resumes after a 503 on a chunk, asking the session first', async () => {
    const total = big.mime.length;
    emu.faults.fail('upload.put', 503, 1);
    expect((await destination(emu, clock).deliver(big, MAILBOX)).status).toBe('delivered');
    expectStoredOnce(big);
    expect(puts().map((r) => [r.contentRange, r.status])).toEqual([
      [`bytes 0-${CHUNK - 1}/${total}`, 503],
      [`bytes */${total}`, 308],
      [`bytes 0-${CHUNK - 1}/${total}`, 308],
      [`bytes ${CHUNK}-${2 * CHUNK - 1}/${total}`, 308],
      [`bytes ${2 * CHUNK}-${total - 1}/${total}`, 200],
    ]);
  });

  it('takes the message from the session when the answer to the last chunk is lost', async () => {
    emu.faults.dropAfterImport = 1;
    const out = await destination(emu, clock).deliver(big, MAILBOX);
    const m = expectStoredOnce(big);
    expect(out).toEqual({ status: 'delivered', remoteId: m?.id });
    expect(puts().map((r) => r.status)).toEqual([308, 308, 0, 200]);
  });

  it('starts a new session when the old one is gone, after looking for a finished copy', async () => {
    let n = 0;
    const expiring: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'PUT' && ++n === 1) emu.store.sessions.clear();
      return res;
    };
    const dest = destination(emu, clock, {}, { fetch: expiring });
    expect((await dest.deliver(big, MAILBOX)).status).toBe('delivered');
    expectStoredOnce(big);
    expect(emu.log.filter((r) => r.route === 'import')).toHaveLength(2);
    expect(puts().map((r) => r.status)).toEqual([308, 404, 308, 308, 200]);
    // Between the sessions: one search for the copy (after the one before the first import).
    expect(emu.log.filter((r) => r.route === 'messages.list')).toHaveLength(2);
  });
});
