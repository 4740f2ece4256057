// Throttling as Exchange Online applies it per mailbox: Retry-After obeyed to the
// millisecond, backoff with jitter when none is given, bounded retries, never more than 4
// requests in flight, and the 10,000-requests-per-10-minutes window; nothing lost or doubled.
import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationError } from '../../src/destinations/types.js';
import type { GraphEmulator } from './emulator.js';
import { destination, emulator, fakeClock, FOLDER, MAILBOX, textItem } from './helpers.js';
import { PROP } from '../../src/destinations/graph/index.js';
import { propKey } from './emulator-state.js';

let emu: GraphEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function keysIn(e: GraphEmulator): string[] {
  const id = propKey(PROP.sourceItemId) as string;
  return e.messages(MAILBOX, FOLDER).map((m) => m.props.get(id)?.value ?? '');
}

const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => textItem(from + i));

describe('Graph destination: throttling', () => {
  it('waits exactly the Retry-After of each 429 in a storm and loses or doubles nothing', async () => {
    emu = await emulator();
    const clock = fakeClock();
    const dest = destination(emu, clock);
    emu.faults.throttleStorm(5, 7, MAILBOX);
    const batch = items(10);
    for (const item of batch) expect((await dest.deliver(item, MAILBOX)).status).toBe('delivered');
    expect(clock.waits).toEqual([7000, 7000, 7000, 7000, 7000]);
    expect(emu.faults.fired).toHaveLength(5);
    expect(keysIn(emu).sort()).toEqual(batch.map((i) => i.key).sort());
  });

  it('keeps every item once when a storm hits many parallel deliveries', async () => {
    emu = await emulator({ latencyMs: 2 });
    const clock = fakeClock();
    const dest = destination(emu, clock);
    await dest.deliver(textItem(99), MAILBOX);
    emu.faults.throttleStorm(12, 3, MAILBOX);
    const batch = items(30);
    const out = await Promise.all(batch.map((i) => dest.deliver(i, MAILBOX)));
    expect(out.every((o) => o.status === 'delivered')).toBe(true);
    expect(emu.faults.fired).toHaveLength(12);
    expect(keysIn(emu).sort()).toEqual([...batch.map((i) => i.key), textItem(99).key].sort());
    expect(clock.waits.length).toBeGreaterThan(0);
    expect(clock.waits.every((w) => w > 0 && w <= 3000)).toBe(true);
  });

  it('treats a 503 on message creation as maybe-done: waits its Retry-After, looks, then creates once', async () => {
    emu = await emulator();
    const clock = fakeClock();
    emu.faults.failNext({ status: 503, count: 3, retryAfterSeconds: 2, method: 'POST', pathIncludes: '/messages' });
    const item = textItem(1);
    expect((await destination(emu, clock).deliver(item, MAILBOX)).status).toBe('delivered');
    expect(clock.waits).toEqual([2000, 2000, 2000]);
    expect(keysIn(emu)).toEqual([item.key]);
  });

  it('backs off exponentially with jitter when the server names no wait', async () => {
    emu = await emulator();
    const clock = fakeClock();
    emu.faults.failNext({ status: 503, count: 3, method: 'GET', pathIncludes: '/messages' });
    expect((await destination(emu, clock, {}, { random: () => 0.5 }).deliver(textItem(1), MAILBOX)).status).toBe(
      'delivered',
    );
    // cap 1 s, 2 s, 4 s; half fixed plus half times the random 0.5
    expect(clock.waits).toEqual([750, 1500, 3000]);
  });

  it('gives up after maxRetries as throttled with the server wait, and the retry later delivers once', async () => {
    emu = await emulator();
    const clock = fakeClock();
    const dest = destination(emu, clock, { maxRetries: 3 });
    emu.faults.throttleStorm(50, 7, MAILBOX);
    const item = textItem(1);
    const err = (await dest.deliver(item, MAILBOX).catch((e: unknown) => e)) as DestinationError;
    expect(err.failure).toBe('throttled');
    expect(err.retryAfterMs).toBe(7000);
    expect(clock.waits).toEqual([7000, 7000, 7000]);
    emu.faults.clear();
    expect((await dest.deliver(item, MAILBOX)).status).toBe('delivered');
    expect(keysIn(emu)).toEqual([item.key]);
  });

  it('hands a wait longer than maxRetryWaitSeconds back at once instead of holding the delivery', async () => {
    emu = await emulator();
    const clock = fakeClock();
    emu.faults.throttleStorm(1, 600, MAILBOX);
    const err = (await destination(emu, clock, { maxRetryWaitSeconds: 120 })
      .deliver(textItem(1), MAILBOX)
      .catch((e: unknown) => e)) as DestinationError;
    expect(err.failure).toBe('throttled');
    expect(err.retryAfterMs).toBe(600_000);
    expect(clock.waits).toEqual([]);
  });

  it('never has more than 4 requests in flight for a mailbox, however many deliveries run at once', async () => {
    emu = await emulator({ latencyMs: 3 });
    const dest = destination(emu, fakeClock());
    const batch = items(100);
    const out = await Promise.all(batch.map((i) => dest.deliver(i, MAILBOX)));
    expect(out.every((o) => o.status === 'delivered')).toBe(true);
    expect(emu.limits.maxConcurrency.get(MAILBOX)).toBe(4);
    expect(emu.limits.throttled.concurrency).toBe(0);
    expect(keysIn(emu).sort()).toEqual(batch.map((i) => i.key).sort());
  });

  it('keeps to a lower configured concurrency', async () => {
    emu = await emulator({ latencyMs: 3 });
    const dest = destination(emu, fakeClock(), { maxConcurrentPerMailbox: 2 });
    await Promise.all(items(20).map((i) => dest.deliver(i, MAILBOX)));
    expect(emu.limits.maxConcurrency.get(MAILBOX)).toBe(2);
  });

  it('the emulator refuses a fifth concurrent request with 429 and Retry-After (the check above can fail)', async () => {
    // Each request is held for 2 s, so the six overlap however slowly a loaded machine opens them.
    emu = await emulator({ latencyMs: 2000 });
    const token = emu.auth.token(
      'tenant-1',
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'client-1',
        client_secret: 'secret-1',
        scope: 'https://graph.microsoft.com/.default',
      }),
    ).body.access_token as string;
    const url = `${emu.graphBaseUrl}/users/${encodeURIComponent(MAILBOX)}/mailFolders`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => fetch(url, { headers: { authorization: `Bearer ${token}` } })),
    );
    const throttled = answers.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled[0]?.headers.get('retry-after')).toBe('1');
    expect(emu.limits.maxConcurrency.get(MAILBOX)).toBeGreaterThanOrEqual(5);
    await Promise.all(answers.map((r) => r.text()));
  });

  it('spreads a backlog over the request budget so the window limit is never hit', async () => {
    const clock = fakeClock();
    emu = await emulator({ rate: { requests: 10, windowMs: 600_000 }, now: clock.now });
    const dest = destination(emu, clock, { requestsPer10Minutes: 10, maxRetryWaitSeconds: 900 });
    const batch = items(8);
    for (const item of batch) expect((await dest.deliver(item, MAILBOX)).status).toBe('delivered');
    expect(emu.limits.throttled.rate).toBe(0);
    // 18 requests at 10 per 10 minutes: one wait for the window to move on.
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBe(600_000);
    expect(keysIn(emu).sort()).toEqual(batch.map((i) => i.key).sort());
  });

  it('waits out the per-mailbox request window (10,000 per 10 minutes, here 10 per minute)', async () => {
    const clock = fakeClock();
    emu = await emulator({ rate: { requests: 10, windowMs: 60_000 }, now: clock.now });
    const dest = destination(emu, clock);
    const batch = items(8);
    for (const item of batch) expect((await dest.deliver(item, MAILBOX)).status).toBe('delivered');
    expect(emu.limits.throttled.rate).toBeGreaterThan(0);
    expect(clock.waits).toContain(60_000);
    expect(keysIn(emu).sort()).toEqual(batch.map((i) => i.key).sort());
  });
});
