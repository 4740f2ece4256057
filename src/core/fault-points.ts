/**
 * Named fault points for crash-safety and failure tests, in the manner of Dovecot's and SQLite's
 * fault injection. `WXA_CRASH_AT=<point>:<n>` kills the process with SIGKILL the n-th time it
 * passes `<point>`; `WXA_FAULT_AT=<point>:<n>:<code>` makes the n-th pass fail with the error
 * the system would give (`ENOSPC`, `EIO`, `SQLITE_FULL`, ...), so that a full disk can be tested
 * without filling one. Unset (always, in production) each costs one string comparison.
 */
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function parse(spec: string | undefined): { point?: string; nth: number; code?: string } {
  if (!spec) return { nth: 0 };
  const [point, n, code] = spec.split(':');
  return { point, nth: Number(n ?? '1'), code };
}

const crash = parse(process.env.WXA_CRASH_AT);
const fault = parse(process.env.WXA_FAULT_AT);
let crashPasses = 0;
let faultPasses = 0;

export type FaultPoint =
  /**
   * a prepare thread received its n-th task: that thread (only) exits, once per process (the
   * first thread to get there claims a marker file), so the pool must replace it and run the
   * task again
   */
  | 'worker-thread'
  /** a destination stored an item, and the ledger has not recorded it yet */
  | 'after-deliver'
  /** a multi-message IMAP APPEND is on the wire and the server has not answered it */
  | 'mid-append'
  /** a batch of records is processed, and its transaction has not committed yet */
  | 'before-commit'
  /** disposition deleted one page of expired entries, and has more to do */
  | 'disposition-page'
  /** a blob file's bytes are about to be written */
  | 'blob-write'
  /** a store transaction's work is done and COMMIT is next */
  | 'commit'
  /** a backup copied one more blob file, and its snapshot is not complete yet */
  | 'backup-blob'
  /** a backup's snapshot is written, and it is not yet the LATEST one */
  | 'backup-snapshot'
  /** an export wrote an item and journaled it */
  | 'export-item'
  /**
   * an RSMF export wrote one of its files (on its own thread or one of its threads, whose count
   * is its own), and the chunk's entries are not journaled yet
   */
  | 'export-file';

export function crashPoint(name: Exclude<FaultPoint, 'worker-thread'>): void {
  if (crash.point !== name) return;
  if (++crashPasses >= crash.nth) process.kill(process.pid, 'SIGKILL');
}

/** An injected failure shaped like the real one: a Node system error, or SQLite's error with its code. */
export interface InjectedFault extends Error {
  code: string;
  path?: string;
}

/** The error to fail with at this pass of `name`, if one is injected; the caller throws it where the real one would arise. */
export function injectedFault(name: FaultPoint, path?: string): InjectedFault | undefined {
  if (fault.point !== name || !fault.code) return undefined;
  if (++faultPasses !== fault.nth) return undefined;
  const message = fault.code.startsWith('SQLITE_')
    ? fault.code === 'SQLITE_FULL'
      ? 'database or disk is full'
      : `injected ${fault.code}`
    : `${fault.code}: injected at ${name}${path ? `, write '${path}'` : ''}`;
  return Object.assign(new Error(message), { code: fault.code, ...(path ? { path } : {}) });
}

/** The marker that lets one thread of this process crash at `worker-thread`. */
export function threadCrashMarker(pid = process.pid): string {
  return join(tmpdir(), `wxa-thread-crash-${pid}`);
}

/** In a worker thread: ends this thread abruptly (not the process) at its n-th task, once per process. */
export function threadCrashPoint(name: Extract<FaultPoint, 'worker-thread'>, exit: (code: number) => never): void {
  if (crash.point !== name || ++crashPasses !== crash.nth) return;
  try {
    closeSync(openSync(threadCrashMarker(), 'wx'));
  } catch {
    return; // another thread of this process already crashed
  }
  exit(70);
}
