/**
 * The schedule: runs a job at once, then again `intervalMs` after each run ends (runs never
 * overlap), until stopped. `trigger()` starts the next run early (e.g. on a new-data callback).
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

  const loop = async () => {
    while (!stopped) {
      try {
        await opts.run();
      } catch (err) {
        opts.onError(err);
      }
      if (stopped) break;
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
      wake?.();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await current;
    },
  };
}
