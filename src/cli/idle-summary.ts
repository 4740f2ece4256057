/**
 * The lines `serve` prints per run. A run that found nothing new is printed once; the idle runs
 * after it are counted and summarised once an hour (and when traffic resumes), so a quiet
 * connector on a one-minute schedule does not print 1,440 identical lines a day.
 */
import type { ConnectorRunReport } from '../pipeline/run-connector.js';

/** How often a connector that stays idle is summarised. */
export const IDLE_SUMMARY_MS = 3600_000;

interface IdleState {
  /** idle runs not printed yet */
  count: number;
  /** when the first of them ran */
  since: number;
  /** when the last line for this connector was printed */
  printedAt: number;
}

type RunLine = Pick<
  ConnectorRunReport,
  'connectorId' | 'captured' | 'fetched' | 'archived' | 'heldTotal' | 'held' | 'failed' | 'error' | 'delivery'
>;

/** Nothing captured, processed or delivered, and no error: the run changed nothing. */
export function isIdleRun(r: RunLine): boolean {
  const d = r.delivery;
  const delivered = d
    ? d.delivered + d.duplicates + d.retried + d.partial + d.leaseLost + Object.keys(d.held).length
    : 0;
  return r.captured === 0 && r.fetched === 0 && delivered === 0 && !r.error;
}

function runLine(r: RunLine, at: number): string {
  const held = Object.entries(r.held).map(([k, v]) => `${k} ${v}`);
  return (
    `${new Date(at).toISOString()} ${r.connectorId}: captured ${r.captured}, archived ${r.archived}, held ${r.heldTotal}` +
    `${held.length ? ` (${held.join(', ')})` : ''}, failed ${r.failed}`
  );
}

function summaryLine(connectorId: string, s: IdleState, at: number): string {
  const runs = s.count === 1 ? '1 idle run' : `${s.count} idle runs`;
  return `${new Date(at).toISOString()} ${connectorId}: ${runs} since ${new Date(s.since).toISOString()}, nothing new`;
}

export class IdleSummary {
  private readonly idle = new Map<string, IdleState>();

  /** The lines to print for this run (none while a connector stays idle inside the hour). */
  lines(r: RunLine, now: number): string[] {
    const state = this.idle.get(r.connectorId);
    if (!isIdleRun(r)) {
      this.idle.delete(r.connectorId);
      const out = state && state.count > 0 ? [summaryLine(r.connectorId, state, now)] : [];
      return [...out, runLine(r, now)];
    }
    if (!state) {
      this.idle.set(r.connectorId, { count: 0, since: now, printedAt: now });
      return [`${runLine(r, now)}; nothing new (idle runs are summarised hourly)`];
    }
    if (state.count === 0) state.since = now;
    state.count++;
    if (now - state.printedAt < IDLE_SUMMARY_MS) return [];
    const line = summaryLine(r.connectorId, state, now);
    this.idle.set(r.connectorId, { count: 0, since: now, printedAt: now });
    return [line];
  }
}
