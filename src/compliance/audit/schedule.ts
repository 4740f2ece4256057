/**
 * The audit log's retention while `serve` runs: every `audit.pruneEveryMinutes`, when
 * `audit.retentionDays` is set. A setting shorter than the longest retention policy is refused
 * at every run and said in the log, so the operator sees it until it is fixed; nothing is pruned.
 */
import type { Config } from '../../config/index.js';
import type { Db } from '../../store/index.js';
import { pruneAudit } from './retention.js';

export interface AuditPruneSchedule {
  stop(): Promise<void>;
}

export function startAuditPruneSchedule(db: Db, cfg: Config, onLog: (line: string) => void): AuditPruneSchedule {
  const everyMs = cfg.audit.pruneEveryMinutes * 60_000;
  const settingDays = cfg.audit.retentionDays;
  if (everyMs === 0 || settingDays === undefined) return { stop: async () => undefined };
  let busy: Promise<void> = Promise.resolve();
  const run = () => {
    busy = busy
      .then(async () => {
        const r = await pruneAudit(db, { settingDays, actor: 'system', now: Date.now() });
        if (r.pruned > 0) onLog(`audit prune: removed ${r.pruned} events older than ${settingDays} days`);
      })
      .catch((err: unknown) => onLog(`audit prune refused: ${(err as Error).message}`));
    return busy;
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  // The first run soon after start, so that a bad setting is reported at once.
  const first = setTimeout(() => void run(), 5_000);
  first.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      clearTimeout(first);
      await busy;
    },
  };
}
