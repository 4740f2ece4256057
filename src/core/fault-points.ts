/**
 * Named crash points for crash-safety tests, in the manner of Dovecot's and SQLite's fault
 * injection: `WXA_CRASH_AT=<point>:<n>` kills the process with SIGKILL the n-th time it passes
 * `<point>`. Unset (always, in production) it costs one string comparison.
 */
const spec = process.env.WXA_CRASH_AT;
const [point, nth] = spec ? [spec.split(':')[0], Number(spec.split(':')[1] ?? '1')] : [undefined, 0];
let passes = 0;

export type FaultPoint =
  /** a destination stored an item, and the ledger has not recorded it yet */
  | 'after-deliver'
  /** a batch of records is processed, and its transaction has not committed yet */
  | 'before-commit'
  /** a backup copied one more blob file, and its snapshot is not complete yet */
  | 'backup-blob'
  /** a backup's snapshot is written, and it is not yet the LATEST one */
  | 'backup-snapshot';

export function crashPoint(name: FaultPoint): void {
  if (point !== name) return;
  if (++passes >= nth) process.kill(process.pid, 'SIGKILL');
}
