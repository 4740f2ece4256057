/**
 * Disposition while `serve` runs: every `retention.dispositionEveryMinutes`, one run at a time
 * (a run still going when the next is due makes that one wait, never overlap). Stopping waits
 * for a run in progress; each of its pages is its own transaction, so even a kill leaves whole
 * pages and the next run completes the rest.
 */
import type { Config } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import { runDispositionOn } from './wiring.js';

export interface DispositionSchedule {
  stop(): Promise<void>;
}

export function startDispositionSchedule(
  store: Store,
  cfg: Config,
  onLog: (line: string) => void,
): DispositionSchedule {
  const everyMs = cfg.retention.dispositionEveryMinutes * 60_000;
  if (everyMs === 0) return { stop: async () => undefined };
  let busy: Promise<void> = Promise.resolve();
  const run = () => {
    busy = busy
      .then(async () => {
        const r = await runDispositionOn(store, { now: Date.now(), dryRun: false });
        if (r.deleted > 0 || r.batchesCreated > 0 || r.keptByHold > 0) {
          onLog(
            `disposition: deleted ${r.deleted}, kept by hold ${r.keptByHold}, waiting for review ${r.waitingForReview}`,
          );
        }
      })
      .catch((err: unknown) => onLog(`disposition failed: ${(err as Error).message}`));
    return busy;
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
    },
  };
}
