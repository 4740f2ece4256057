/**
 * The schedule: runs a job at once, then again `intervalMs` after each run ends (runs never
 * overlap), until stopped. `trigger()` starts the next run early (e.g. on a new-data callback);
 * one that arrives while a run is going starts the next run as soon as it ends, since the data
 * it announced may have come after that run looked.
 */
export interface Schedule {
  trigger(): void;
  /** resolves when the current run, if any, has finished */
  stop(): Promise<void>;
}

export function startSchedule(opts: {
  intervalMs: number;
  run: () => Promise<void>;
  onError: (err: unknown) => void;
}): Schedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  /** a trigger came while a run was going */
  let again = false;

  const loop = async () => {
    while (!stopped) {
      again = false;
      try {
        await opts.run();
      } catch (err) {
        opts.onError(err);
      }
      if (stopped) break;
      if (again) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, opts.intervalMs);
      });
      wake = undefined;
    }
  };
  current = loop();

  return {
    trigger: () => {
      if (timer) clearTimeout(timer);
      if (wake) wake();
      else again = true;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await current;
    },
  };
}
