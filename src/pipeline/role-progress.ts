/**
 * Writes a role process's run progress to the run's row (`saveRunProgress`), at most once per
 * `everyMs`, so that a console in another process shows it live. The single `serve` process keeps
 * progress on its supervisor's event bus instead; this is the same numbers for consoles that have
 * no supervisor. A failed write is logged and forgotten: progress is a view, the run's own
 * counters are written when it finishes.
 */
import type { Logger } from '../core/logger.js';
import { saveRunProgress, type Db, type StoredProgress } from '../store/index.js';

export class ProgressWriter {
  private latest: Omit<StoredProgress, 'at'> | undefined;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    /** the run's id once it has one (a worker's run is recorded at its first commit) */
    private readonly runId: () => number | undefined,
    private readonly opts: { everyMs?: number; now?: () => number; logger?: Logger } = {},
  ) {}

  /** The run's progress now; written at once, or when `everyMs` has passed since the last write. */
  set(progress: Omit<StoredProgress, 'at'>): void {
    this.latest = progress;
    if (this.timer) return;
    const wait = Math.max(0, this.lastAt + (this.opts.everyMs ?? 1000) - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, wait);
    this.timer.unref();
  }

  /**
   * The run's progress now, written at once whenever the last write was: for a moment a console
   * must not miss, such as a phase's first rows done, which a phase shorter than `everyMs` would
   * otherwise only record at its start and (no longer live) in the run's final counts.
   */
  setNow(progress: Omit<StoredProgress, 'at'>): void {
    this.latest = progress;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.write());
  }

  /**
   * Stops: a write waiting for its turn is dropped (the caller finishes the run next, which
   * records its counts), and one under way is waited for, so nothing writes progress after.
   */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private async write(): Promise<void> {
    const id = this.runId();
    const p = this.latest;
    if (id === undefined || !p) return;
    this.lastAt = this.now();
    try {
      await saveRunProgress(this.db, id, { ...p, at: this.lastAt });
    } catch (err) {
      this.opts.logger?.warn({ err, runId: id }, 'could not record run progress');
    }
  }
}
