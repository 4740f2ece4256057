// Gmail's per-user quota (units per minute, 25 per import): waits Google names are obeyed in
// place when short and handed to the delivery stage as `throttled` when long; either way
// every item ends in the mailbox exactly once, and one user's storm does not slow another.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DestinationError, type Destination, type RenderedItem } from '../../src/destinations/types.js';
import type { GmailEmulator } from './emulator.js';
import { destination, emulator, fakeClock, MAILBOX, OTHER, textItem, type FakeClock } from './helpers.js';

let clock: FakeClock;
let emu: GmailEmulator;
beforeEach(async () => {
  clock = fakeClock();
  // 200 units a minute: the label set-up and six deliveries (5 + 25 units each) fit, not more.
  emu = await emulator(clock, { quota: { units: 200, windowMs: 60_000 } });
});
afterEach(async () => {
  await emu.close();
});

const items = (n: number, from = 0): RenderedItem[] => Array.from({ length: n }, (_, i) => textItem(from + i));

function expectEachOnce(mailbox: string, list: RenderedItem[]) {
  const stored = emu.mailbox(mailbox).messages;
  expect(stored).toHaveLength(list.length);
  expect(new Set(stored.map((m) => m.messageId))).toEqual(new Set(list.map((i) => i.messageId)));
}

/** What the delivery stage does: deliver, and after `throttled` wait as long as it was told. */
async function deliverLikeTheStage(dest: Destination, list: RenderedItem[], mailbox: string) {
  const throttled: DestinationError[] = [];
  for (const item of list) {
    for (;;) {
      try {
        await dest.deliver(item, mailbox);
        break;
      } catch (err) {
        if (!(err instanceof DestinationError) || err.failure !== 'throttled') throw err;
        throttled.push(err);
        clock.advance(err.retryAfterMs ?? 0);
      }
    }
  }
  return throttled;
}

describe('Gmail destination: quota', () => {
  it("waits as long as Gmail's Retry-After says and stores every item once", async () => {
    const dest = destination(emu, clock);
    const list = items(20);
    for (const item of list) expect((await dest.deliver(item, MAILBOX)).status).toBe('delivered');
    expectEachOnce(MAILBOX, list);
    const refused = emu.log.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    // Each wait is exactly the Retry-After of a 429, and nothing was asked of Gmail meanwhile.
    expect(clock.waits).toEqual(refused.map((r) => Number(r.retryAfter) * 1000));
    expect(emu.mailbox(MAILBOX).quota.refused).toBe(refused.length);
  });

  it("hands a long wait back as throttled with the emulator's Retry-After; nothing lost or duplicated", async () => {
    const dest = destination(emu, clock, { maxRetryWaitSeconds: 5 });
    const list = items(20);
    const throttled = await deliverLikeTheStage(dest, list, MAILBOX);
    expectEachOnce(MAILBOX, list);
    const refused = emu.log.filter((r) => r.status === 429);
    expect(throttled.length).toBe(refused.length);
    expect(throttled.length).toBeGreaterThan(1);
    throttled.forEach((err, i) => {
      expect(err.code).toBe('WXA_DEST_THROTTLED');
      expect(err.retryAfterMs).toBe(Number(refused[i]?.retryAfter) * 1000);
      expect(err.message).toContain('User-rate limit exceeded');
    });
    expect(clock.waits).toEqual([]);
  });

  it("a storm in one mailbox does not hold back another's", async () => {
    const dest = destination(emu, clock, { maxRetryWaitSeconds: 5 });
    const a = items(12);
    const b = items(4, 100);
    const [throttledA] = await Promise.all([
      deliverLikeTheStage(dest, a, MAILBOX),
      deliverLikeTheStage(dest, b, OTHER),
    ]);
    expect(throttledA.length).toBeGreaterThan(0);
    expectEachOnce(MAILBOX, a);
    expectEachOnce(OTHER, b);
    expect(emu.mailbox(OTHER).quota.refused).toBe(0);
  });

  it('backs off with jitter on 403 userRateLimitExceeded without a Retry-After, then succeeds', async () => {
    const dest = destination(emu, clock);
    emu.faults.fail('import', 403, 2, { reason: 'userRateLimitExceeded' });
    expect((await dest.deliver(textItem(1), MAILBOX)).status).toBe('delivered');
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(1);
    // 1 s then 2 s nominal, random 0.5: three quarters of each.
    expect(clock.waits).toEqual([750, 1500]);
  });

  it('gives up after maxRetries with throttled and the wait Gmail named, importing nothing', async () => {
    const dest = destination(emu, clock, { maxRetries: 2 });
    emu.faults.fail('import', 429, 10, { retryAfterSeconds: 7 });
    const err = await dest.deliver(textItem(2), MAILBOX).then(
      () => undefined,
      (e: unknown) => e as DestinationError,
    );
    expect(err?.failure).toBe('throttled');
    expect(err?.retryAfterMs).toBe(7000);
    expect(emu.log.filter((r) => r.route === 'import')).toHaveLength(3);
    expect(emu.mailbox(MAILBOX).messages).toHaveLength(0);
  });
});
