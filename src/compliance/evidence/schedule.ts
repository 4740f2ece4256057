/**
 * Checkpoints while `serve` runs: every `checkpointEveryMinutes`, or as soon as
 * `checkpointEveryEvents` ingest events were added, whichever comes first, and once more on
 * a clean stop. A checkpoint is only made when a log grew, so an idle archive adds none.
 */
import type { Config } from '../../config/index.js';
import { latestCheckpoint, ingestHeadId, type Db } from '../../store/index.js';
import { checkpointIfChanged, type CheckpointStatement } from './checkpoint.js';

/** How often the event count is looked at (ms); a checkpoint itself is rarer. */
const POLL_MS = 30_000;

export interface CheckpointSchedule {
  /** one last checkpoint, then no more */
  stop(): Promise<void>;
}

export function startCheckpointSchedule(
  db: Db,
  cfg: Config,
  onLog: (line: string) => void,
  pollMs = POLL_MS,
): CheckpointSchedule {
  let busy: Promise<void> = Promise.resolve();
  const tick = async (final: boolean) => {
    const last = await latestCheckpoint(db);
    // The head row only: counting the log every poll would read the whole table beside the pipeline.
    const head = await ingestHeadId(db);
    const stated = last ? (JSON.parse(last.statement) as CheckpointStatement) : undefined;
    const grown = head.lastId - (stated?.ingest.lastEventId ?? 0);
    const due =
      final ||
      !last ||
      grown >= cfg.evidence.checkpointEveryEvents ||
      Date.now() - last.at >= cfg.evidence.checkpointEveryMinutes * 60_000;
    if (!due) return;
    const r = await checkpointIfChanged(db, cfg);
    if (r) {
      onLog(
        `checkpoint #${r.statement.number} signed (ingest ${r.statement.ingest.events} events, audit ${r.statement.audit.events})` +
          (r.tsaError ? `; not time-stamped: ${r.tsaError}` : r.timestamped ? ', time-stamped' : ''),
      );
    }
  };
  const run = (final: boolean) => {
    busy = busy.then(() => tick(final)).catch((err: unknown) => onLog(`checkpoint failed: ${(err as Error).message}`));
    return busy;
  };
  const timer = setInterval(() => void run(false), pollMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await run(true);
    },
  };
}
