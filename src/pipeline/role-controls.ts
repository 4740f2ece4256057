/**
 * How the role processes of `serve --role` obey a console that is a process of its own: the
 * console writes pause, resume and "run now" to the connector's control row (store
 * connector-controls.ts), and each capture and worker process reads it on its next look, so the
 * buttons act on every process, not on one process's memory. Polling, not PostgreSQL
 * LISTEN/NOTIFY: a notification needs a connection held outside the pool by every process, and
 * is lost while a process reconnects, so a poll would be needed as the floor anyway; one indexed
 * look a second per process costs less than the runs it starts.
 */
import { listConnectorControls, type Db } from '../store/index.js';
import type { ManagedConnector } from './supervisor.js';

/** How often a waiting capture process looks for a run asked for, ms. */
export const CONTROL_POLL_MS = 1000;

/** The connectors with the pause the console set for every process (a console connector's own flag counts too). */
export async function withControls(db: Db, managed: ManagedConnector[]): Promise<ManagedConnector[]> {
  const controls = await listConnectorControls(db);
  return managed.map((m) => (controls.get(m.config.id)?.paused && !m.paused ? { ...m, paused: true } : m));
}

/**
 * Waits `ms`, or less: until `signal` aborts, or `wake` (asked every `pollMs`) says there is work
 * now. A failed look is ignored; the wait then ends on time.
 */
export function sleepOrWake(
  ms: number,
  signal: AbortSignal,
  wake?: () => Promise<boolean>,
  pollMs = CONTROL_POLL_MS,
): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(done, ms);
    let looking = false;
    const poll = wake
      ? setInterval(() => {
          if (looking) return;
          looking = true;
          void wake()
            .then(
              (yes) => yes && done(),
              () => undefined,
            )
            .finally(() => (looking = false));
        }, pollMs)
      : undefined;
    function done() {
      signal.removeEventListener('abort', done);
      clearTimeout(deadline);
      clearInterval(poll);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
