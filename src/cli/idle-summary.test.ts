import { describe, expect, it } from 'vitest';
import { emptyDeliveryCounters } from '../pipeline/deliver.js';
import { IDLE_SUMMARY_MS, IdleSummary, isIdleRun } from './idle-summary.js';

const base = {
  connectorId: 'bank',
  captured: 0,
  fetched: 0,
  archived: 0,
  heldTotal: 0,
  held: {},
  failed: 0,
};
const busy = { ...base, captured: 25, fetched: 25, archived: 25 };
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const MIN = 60_000;

describe('IdleSummary', () => {
  it('prints the first idle run, then one summary an hour, and the summary again when traffic resumes', () => {
    const s = new IdleSummary();
    expect(s.lines(busy, T0)).toEqual(['2026-11-02T08:00:00.000Z bank: captured 25, archived 25, held 0, failed 0']);
    expect(s.lines(base, T0 + MIN)).toEqual([
      '2026-11-02T08:01:00.000Z bank: captured 0, archived 0, held 0, failed 0; nothing new (idle runs are summarised hourly)',
    ]);
    const printed: string[] = [];
    for (let m = 2; m <= 61; m++) printed.push(...s.lines(base, T0 + m * MIN));
    // 60 idle runs after the first: silent until an hour after the last printed line.
    expect(printed).toEqual([
      '2026-11-02T09:01:00.000Z bank: 60 idle runs since 2026-11-02T08:02:00.000Z, nothing new',
    ]);
    expect(s.lines(base, T0 + 62 * MIN)).toEqual([]);
    expect(s.lines(base, T0 + 63 * MIN)).toEqual([]);
    expect(s.lines(busy, T0 + 64 * MIN)).toEqual([
      '2026-11-02T09:04:00.000Z bank: 2 idle runs since 2026-11-02T09:02:00.000Z, nothing new',
      '2026-11-02T09:04:00.000Z bank: captured 25, archived 25, held 0, failed 0',
    ]);
    expect(IDLE_SUMMARY_MS).toBe(60 * MIN);
  });

  it('keeps each connector apart', () => {
    const s = new IdleSummary();
    s.lines(base, T0);
    expect(s.lines({ ...base, connectorId: 'other' }, T0 + MIN)).toHaveLength(1);
    expect(s.lines(base, T0 + 2 * MIN)).toEqual([]);
  });

  it('never counts as idle a run with an error, a retry, a held delivery or a released record', () => {
    const quietDelivery = emptyDeliveryCounters();
    expect(isIdleRun({ ...base, delivery: quietDelivery })).toBe(true);
    expect(isIdleRun({ ...base, error: 'WXA_SOURCE_FAILED: down' })).toBe(false);
    expect(isIdleRun({ ...base, delivery: { ...quietDelivery, retried: 1 } })).toBe(false);
    expect(isIdleRun({ ...base, delivery: { ...quietDelivery, leaseLost: 1 } })).toBe(false);
    expect(isIdleRun({ ...base, delivery: { ...quietDelivery, held: { WXA_DEST_PERMANENT: 1 } } })).toBe(false);
    expect(isIdleRun({ ...base, fetched: 3 })).toBe(false);
  });
});
