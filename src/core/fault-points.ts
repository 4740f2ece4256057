/**
 * Named crash points for crash-safety tests, in the manner of Dovecot's and SQLite's fault
 * injection: `WXA_CRASH_AT=<point>:<n>` kills the process with SIGKILL the n-th time it passes
 * `<point>`. Unset (always, in production) it costs one string comparison.
 */
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const spec = process.env.WXA_CRASH_AT;
const [point, nth] = spec ? [spec.split(':')[0], Number(spec.split(':')[1] ?? '1')] : [undefined, 0];
let passes = 0;

export type FaultPoint =
  /**
   * a prepare thread received its n-th task: that thread (only) exits, once per process (the
   * first thread to get there claims a marker file), so the pool must replace it and run the
   * task again
   */
  | 'worker-thread'
  /** a destination stored an item, and the ledger has not recorded it yet */
  | 'after-deliver'
  /** a batch of records is processed, and its transaction has not committed yet */
  | 'before-commit';

export function crashPoint(name: Exclude<FaultPoint, 'worker-thread'>): void {
  if (point !== name) return;
  if (++passes >= nth) process.kill(process.pid, 'SIGKILL');
}

/** The marker that lets one thread of this process crash at `worker-thread`. */
export function threadCrashMarker(pid = process.pid): string {
  return join(tmpdir(), `wxa-thread-crash-${pid}`);
}

/** In a worker thread: ends this thread abruptly (not the process) at its n-th task, once per process. */
export function threadCrashPoint(name: Extract<FaultPoint, 'worker-thread'>, exit: (code: number) => never): void {
  if (point !== name || ++passes !== nth) return;
  try {
    closeSync(openSync(threadCrashMarker(), 'wx'));
  } catch {
    return; // another thread of this process already crashed
  }
  exit(70);
}
