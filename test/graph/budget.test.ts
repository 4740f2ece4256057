// How much of a mailbox's Graph budget (10,000 requests per 10 minutes per app and mailbox)
// one archived item costs: 1,000 small items into one mailbox, counted at the emulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphEmulator } from './emulator.js';
import { destination, emulator, fakeClock, FOLDER, MAILBOX, textItem } from './helpers.js';

let emu: GraphEmulator | undefined;
afterEach(async () => {
  await emu?.close();
});

describe('Graph destination: request budget', () => {
  it('costs two requests per small item (look, create) plus two per mailbox for the folder', async () => {
    emu = await emulator();
    const dest = destination(emu, fakeClock());
    const items = Array.from({ length: 1000 }, (_, i) => textItem(i));
    const started = performance.now();
    // 16 deliveries at a time, as the delivery stage would run them; the destination keeps 4 in flight.
    for (let i = 0; i < items.length; i += 16) {
      await Promise.all(items.slice(i, i + 16).map((item) => dest.deliver(item, MAILBOX)));
    }
    const seconds = (performance.now() - started) / 1000;
    const requests = emu.limits.requests.get(MAILBOX) ?? 0;
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(1000);
    expect(requests).toBe(2 * 1000 + 2);
    const perItem = requests / items.length;
    const budgetItemsPer10Min = Math.floor(10_000 / perItem);
    console.info(
      `graph budget: ${requests} requests for ${items.length} items (${perItem.toFixed(3)} per item), ` +
        `${(items.length / seconds).toFixed(0)} items/s against the emulator; 10,000 requests / 10 min allow ` +
        `${budgetItemsPer10Min} items per mailbox per 10 min (${(budgetItemsPer10Min / 600).toFixed(1)} items/s)`,
    );
  });
});
