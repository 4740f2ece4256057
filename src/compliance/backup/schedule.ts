/** Backups while `serve` runs, every `backup.everyHours`; one at a time, failures logged and retried next time. */
import type { Config } from '../../config/index.js';
import type { Db } from '../../store/index.js';
import { runBackup } from './backup.js';

export function startBackupSchedule(db: Db, cfg: Config, onLog: (line: string) => void): { stop(): Promise<void> } {
  const backup = cfg.backup;
  if (!backup) return { stop: async () => undefined };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      running = running
        .then(async () => {
          const m = await runBackup(db, cfg, backup.dir);
          onLog(`backup ${m.snapshot} in ${backup.dir}: ${m.counts.items} items, ${m.newBlobFiles} new blob files`);
        })
        .catch((err: unknown) => onLog(`backup into ${backup.dir} failed: ${(err as Error).message}`));
    },
    Math.round(backup.everyHours * 3600_000),
  );
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
