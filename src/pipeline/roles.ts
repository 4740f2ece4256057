/**
 * The long-running loops of `serve --role` on a shared PostgreSQL database. Capture: per
 * connector, hold its capture lease (another capture process of it waits, and takes over with a
 * higher token once this one dies) and capture on the schedule's interval. Worker: process what
 * can be claimed and deliver what is due, looking again shortly when idle. A job that one
 * process at a time may run (checkpoints, disposition, audit pruning) runs under a lease of its
 * own (`startUnderLease`). Nothing starts on import: `serve` calls these.
 */
import { describeError, isArchiverError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { hasRunRequest, reportConnectorState, takeRunRequests } from '../store/index.js';
import { captureLeaseName, holdLease, type HeldLease } from './lease-keeper.js';
import { ProcessSlots } from './role-connection-slots.js';
import { KeptDestinations } from './role-destinations.js';
import { capturePass, workerPass, type PassDeps, type PassReport } from './role-passes.js';
import { sleepOrWake, withControls } from './role-controls.js';
import type { ManagedConnector } from './supervisor.js';
import { closeSharedPools } from './worker-pool.js';

/** What a `serve` process runs: everything (the default), or one part beside other processes. */
export const SERVE_ROLES = ['all', 'capture', 'worker', 'console'] as const;
export type ServeRole = (typeof SERVE_ROLES)[number];

export interface RoleDeps extends Omit<PassDeps, 'signal'> {
  /** who this process is, for an operator reading the leases: host, pid, role */
  holder: string;
  /** every connector there is now; called before each round, so a console change applies */
  load: () => Promise<ManagedConnector[]>;
  onLog?: (line: string) => void;
  onPass?: (r: PassReport) => void;
  /** how long an idle worker waits before it looks again, ms */
  idleMs?: number;
  /** how often a waiting capture process looks for a run the console asked for, ms */
  controlPollMs?: number;
}

export interface RunningRole {
  stop(): Promise<void>;
}

function loop(
  name: string,
  deps: RoleDeps,
  round: (signal: AbortSignal) => Promise<number>,
  onStop?: () => Promise<void>,
  /** asked while waiting for the next round: true starts it at once (a run the console asked for) */
  wake?: () => Promise<boolean>,
): RunningRole {
  const stop = new AbortController();
  const log: Logger = (deps.logger ?? silentLogger).child({ component: name });
  const running = (async () => {
    while (!stop.signal.aborted) {
      let wait: number;
      try {
        wait = await round(stop.signal);
      } catch (err) {
        if (stop.signal.aborted) break;
        log.error({ err }, 'round failed');
        deps.onLog?.(`${name}: ${describeError(err)}`);
        wait = deps.intervalMs;
      }
      await sleepOrWake(wait, stop.signal, wake, deps.controlPollMs);
    }
  })();
  return {
    stop: async () => {
      stop.abort();
      await running;
      await onStop?.();
    },
  };
}

function report(deps: RoleDeps, r: PassReport): void {
  deps.onPass?.(r);
  if (r.error) deps.onLog?.(`${r.connectorId}: run ${r.runId} failed: ${r.error}`);
}

/** Captures every connector whose capture lease this process holds or can take, on the interval. */
export function startCaptureRole(deps: RoleDeps): RunningRole {
  const now = deps.now ?? Date.now;
  const held = new Map<string, HeldLease>();
  const waiting = new Set<string>();
  return loop(
    'capture',
    deps,
    async (signal) => {
      for (const m of await withControls(deps.store.db, await deps.load())) {
        if (signal.aborted) break;
        const id = m.config.id;
        let lease = held.get(id);
        if (lease?.signal.aborted || m.paused) {
          held.delete(id);
          if (lease && m.paused) await lease.release();
          lease = undefined;
        }
        if (m.paused) continue;
        if (!lease) {
          try {
            lease = await holdLease(deps.store.db, captureLeaseName(id), {
              owner: deps.owner,
              holder: deps.holder,
              ttlMs: deps.leaseMs,
              waitMs: 0,
            });
          } catch (err) {
            if (!isArchiverError(err, 'WXA_LEASE_HELD')) throw err;
            // Said once: another process captures it, this one stands by.
            if (!waiting.has(id)) deps.onLog?.(`${id}: ${err.message}; standing by`);
            waiting.add(id);
            continue;
          }
          waiting.delete(id);
          held.set(id, lease);
          deps.onLog?.(`${id}: capturing (lease token ${lease.lease.token})`);
        }
        // A run the console asked for is this pass: taken now, so it does not start another.
        await takeRunRequests(deps.store.db, [id]);
        const r = await capturePass({ ...deps, signal }, m, lease);
        report(deps, r);
        await reportConnectorState(
          deps.store.db,
          id,
          {
            role: 'capture',
            state: r.error ? 'failing' : 'idle',
            detail: r.error ?? null,
            nextRunAt: now() + deps.intervalMs,
          },
          now(),
        );
      }
      return deps.intervalMs;
    },
    async () => {
      for (const l of held.values()) await l.release().catch(() => undefined);
    },
    () => hasRunRequest(deps.store.db, [...held.keys()]),
  );
}

/** Processes and delivers for every connector, as long as there is work; looks again after `idleMs` when idle. */
export function startWorkerRole(deps: RoleDeps): RunningRole {
  // The per-mailbox cap of each IMAP destination holds across all worker processes.
  const slots = new ProcessSlots(deps.store.db, {
    owner: deps.owner,
    holder: deps.holder,
    ttlMs: deps.leaseMs,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  // Kept across passes, so a busy worker logs in to a mailbox once, not once per pass.
  const kept = new KeptDestinations({
    db: deps.store.db,
    slots,
    ...(deps.seal ? { seal: deps.seal } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  return loop(
    'worker',
    deps,
    async (signal) => {
      let worked = false;
      const connectors = await withControls(deps.store.db, await deps.load());
      await kept.keepOnly(new Set(connectors.map((m) => m.config.id)));
      for (const m of connectors) {
        if (signal.aborted || m.paused) continue;
        const r = await workerPass({ ...deps, signal, kept }, m);
        if (r) {
          worked = true;
          report(deps, r);
          const paused = r.delivery?.paused ?? [];
          await reportConnectorState(
            deps.store.db,
            m.config.id,
            paused.length > 0
              ? {
                  role: 'worker',
                  state: 'paused-credentials',
                  detail: `destination ${paused.join(', ')} refused our credentials`,
                }
              : { role: 'worker', state: r.error ? 'failing' : 'idle', detail: r.error ?? null },
            (deps.now ?? Date.now)(),
          );
        }
      }
      return worked ? 0 : (deps.idleMs ?? Math.min(deps.intervalMs, 2000));
    },
    async () => {
      await kept.close();
      slots.close();
      await closeSharedPools();
    },
  );
}

/**
 * Runs a job only while this process holds the lease `name`, so that of several processes on one
 * database exactly one runs it; another takes over when this one stops or dies.
 */
export function startUnderLease(
  deps: Pick<RoleDeps, 'store' | 'owner' | 'holder' | 'leaseMs' | 'logger'>,
  name: string,
  start: () => RunningRole,
): RunningRole {
  const stop = new AbortController();
  const running = (async () => {
    while (!stop.signal.aborted) {
      let lease: HeldLease;
      try {
        lease = await holdLease(deps.store.db, name, {
          owner: deps.owner,
          holder: deps.holder,
          ttlMs: deps.leaseMs,
          signal: stop.signal,
          pollMs: Math.max(1000, deps.leaseMs / 3),
        });
      } catch (err) {
        if (stop.signal.aborted) return;
        (deps.logger ?? silentLogger).warn({ err, lease: name }, 'could not take the lease; trying again');
        await sleepOrWake(deps.leaseMs, stop.signal);
        continue;
      }
      const job = start();
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        lease.signal.addEventListener('abort', done, { once: true });
        stop.signal.addEventListener('abort', done, { once: true });
      });
      await job.stop();
      await lease.release();
    }
  })();
  return {
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}
