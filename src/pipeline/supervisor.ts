/**
 * The supervisor keeps every connector on its schedule inside `serve`: those of the config file
 * and those defined from the console, which it picks up, changes and drops without a restart
 * (`reload`). It knows each connector's state and the live progress of its run, and tells
 * listeners (the console's event stream) as they change.
 */
import { EventEmitter } from 'node:events';
import type { ConnectorConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Store, UrlSeal } from '../store/index.js';
import type { RuntimeSecrets, SourceRegistry } from '../sources/types.js';
import { runConnector, type ConnectorRunReport } from './run-connector.js';
import { closeSharedPools } from './worker-pool.js';
import type { RunProgress } from './run.js';
import { startSchedule, type Schedule } from './schedule.js';

/** Where a connector is defined: the configuration file, the console, or the built-in demo of `serve`. */
export type ConnectorOrigin = 'config' | 'console' | 'demo';

export interface ManagedConnector {
  config: ConnectorConfig;
  origin: ConnectorOrigin;
  paused: boolean;
  /** secrets of a console connector, read when a run starts (so a change applies at the next run) */
  secrets?: () => Promise<RuntimeSecrets>;
}

export type SupervisedState = 'running' | 'idle' | 'paused' | 'paused-credentials' | 'failing';

export interface ConnectorStatus {
  id: string;
  origin: ConnectorOrigin;
  config: ConnectorConfig;
  /** seconds between runs in effect (the schedule, or `serve --interval`) */
  intervalSeconds: number;
  state: SupervisedState;
  stateDetail: string | null;
  progress: (RunProgress & { at: number }) | null;
  nextRunAt: number | null;
  lastReport: ConnectorRunReport | null;
}

export type SupervisorEvent =
  | { type: 'progress'; connectorId: string; progress: RunProgress & { at: number } }
  | { type: 'state'; connectorId: string; state: SupervisedState; stateDetail: string | null }
  | { type: 'run'; connectorId: string; report: ConnectorRunReport };

export interface SupervisorOptions {
  store: Store;
  workers: number;
  /** the concrete sources, by kind */
  sources: SourceRegistry;
  /** every connector there is now; called at start and on each reload */
  load: () => Promise<ManagedConnector[]>;
  /** runs before each scheduled run of a connector (the demo adds traffic to its tenant) */
  beforeRun?: (c: ConnectorConfig, runNumber: number) => Promise<void>;
  /** interval override in seconds for every connector (`serve --interval`) */
  intervalSeconds?: number;
  /** stop after this many runs per connector (`serve --runs`), for tests */
  maxRuns?: number;
  onLog?: (line: string) => void;
  /** the root logger; each connector logs through a `{component: 'connector', connectorId}` child */
  logger?: Logger;
  now?: () => number;
  /** seals credentials runs keep in the database (Graph upload session URLs) */
  seal?: UrlSeal;
}

interface Entry {
  managed: ManagedConnector;
  fingerprint: string;
  schedule: Schedule | null;
  status: ConnectorStatus;
  runs: number;
}

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new EventEmitter();
  private stopped = false;
  private reloading: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: SupervisorOptions) {
    this.now = opts.now ?? Date.now;
    // Every console tab is a listener; the default limit of 10 would warn on the eleventh.
    this.events.setMaxListeners(0);
  }

  /** Loads the connectors and starts their schedules. */
  start(): Promise<void> {
    return this.reload();
  }

  /** Applies the current set of connectors: starts new ones, restarts changed ones, stops removed ones. */
  reload(): Promise<void> {
    this.reloading = this.reloading
      .then(() => this.apply())
      .catch((err) => {
        this.logger().error({ component: 'supervisor', err }, 'reloading the connectors failed');
        this.log(`reload: ${describeError(err)}`);
      });
    return this.reloading;
  }

  on(listener: (e: SupervisorEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  list(): ConnectorStatus[] {
    return [...this.entries.values()].map((e) => e.status).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): ConnectorStatus | undefined {
    return this.entries.get(id)?.status;
  }

  /** Starts a run now (or right after the current one). False when unknown or paused. */
  runNow(id: string): boolean {
    const e = this.entries.get(id);
    if (!e?.schedule) return false;
    e.schedule.trigger();
    return true;
  }

  /** Pauses or resumes in memory; a console connector's paused flag is also stored by the caller. */
  async setPaused(id: string, paused: boolean): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e) return false;
    e.managed = { ...e.managed, paused };
    if (paused && e.schedule) {
      const s = e.schedule;
      e.schedule = null;
      await s.stop();
      e.status.nextRunAt = null;
    } else if (!paused && !e.schedule) {
      this.startEntry(e);
    }
    this.setState(e, paused ? 'paused' : this.restingState(e), paused ? null : e.status.stateDetail);
    return true;
  }

  /** Resolves when every allowed run has happened (with `maxRuns`), or never without it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.reloading;
    await Promise.all([...this.entries.values()].map((e) => e.schedule?.stop()));
    await closeSharedPools();
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const wanted = await this.opts.load();
    const ids = new Set(wanted.map((m) => m.config.id));
    for (const [id, e] of this.entries) {
      if (!ids.has(id)) {
        await e.schedule?.stop();
        this.entries.delete(id);
      }
    }
    for (const m of wanted) {
      const fingerprint = JSON.stringify(m.config);
      const existing = this.entries.get(m.config.id);
      if (existing && existing.fingerprint === fingerprint && existing.managed.paused === m.paused) {
        existing.managed = m;
        continue;
      }
      if (existing?.schedule) await existing.schedule.stop();
      const e: Entry = existing ?? {
        managed: m,
        fingerprint,
        schedule: null,
        runs: 0,
        status: {
          id: m.config.id,
          origin: m.origin,
          config: m.config,
          intervalSeconds: this.opts.intervalSeconds ?? m.config.schedule.intervalSeconds,
          state: 'idle',
          stateDetail: null,
          progress: null,
          nextRunAt: null,
          lastReport: null,
        },
      };
      e.managed = m;
      e.fingerprint = fingerprint;
      e.schedule = null;
      e.status = {
        ...e.status,
        origin: m.origin,
        config: m.config,
        intervalSeconds: this.opts.intervalSeconds ?? m.config.schedule.intervalSeconds,
      };
      this.entries.set(m.config.id, e);
      if (m.paused) this.setState(e, 'paused', null);
      else {
        this.setState(e, this.restingState(e), e.status.stateDetail);
        this.startEntry(e);
      }
    }
  }

  private intervalMs(e: Entry): number {
    return (this.opts.intervalSeconds ?? e.managed.config.schedule.intervalSeconds) * 1000;
  }

  private startEntry(e: Entry): void {
    const c = e.managed.config;
    e.schedule = startSchedule({
      intervalMs: this.intervalMs(e),
      onError: (err) => {
        this.connectorLogger(c.id).error({ err }, 'run failed');
        this.log(`${c.id}: run failed: ${describeError(err)}`);
      },
      run: () => this.runEntry(e),
    });
  }

  private async runEntry(e: Entry): Promise<void> {
    const c = e.managed.config;
    if (this.opts.maxRuns !== undefined && e.runs >= this.opts.maxRuns) return;
    e.status.nextRunAt = null;
    this.setState(e, 'running', null);
    const log = this.connectorLogger(c.id);
    log.debug({ run: e.runs + 1 }, 'run starting');
    try {
      if (this.opts.beforeRun) await this.opts.beforeRun(c, e.runs);
      const secrets = e.managed.secrets ? await e.managed.secrets() : undefined;
      const report = await runConnector(this.opts.store, c, {
        workers: this.opts.workers,
        sources: this.opts.sources,
        logger: log,
        sharedPool: true,
        ...(secrets ? { secrets } : {}),
        ...(this.opts.seal ? { seal: this.opts.seal } : {}),
        onProgress: (p) => {
          const progress = { ...p, at: this.now() };
          e.status.progress = progress;
          this.events.emit('event', { type: 'progress', connectorId: c.id, progress } satisfies SupervisorEvent);
        },
      });
      e.status.lastReport = report;
      e.status.progress = null;
      logRun(log, report);
      const paused = report.delivery?.paused ?? [];
      if (paused.length > 0) {
        this.setState(e, 'paused-credentials', `destination ${paused.join(', ')} refused our credentials`);
      } else if (report.error) {
        this.setState(e, 'failing', report.error);
      } else {
        this.setState(e, 'idle', null);
      }
      this.events.emit('event', { type: 'run', connectorId: c.id, report } satisfies SupervisorEvent);
    } catch (err) {
      e.status.progress = null;
      this.setState(e, 'failing', describeError(err));
      throw err;
    } finally {
      e.runs++;
      if (e.schedule) e.status.nextRunAt = this.now() + this.intervalMs(e);
    }
  }

  private restingState(e: Entry): SupervisedState {
    const s = e.status.state;
    return s === 'failing' || s === 'paused-credentials' ? s : 'idle';
  }

  private setState(e: Entry, state: SupervisedState, detail: string | null): void {
    if (e.status.state === state && e.status.stateDetail === detail) return;
    e.status.state = state;
    e.status.stateDetail = detail;
    this.events.emit('event', {
      type: 'state',
      connectorId: e.status.id,
      state,
      stateDetail: detail,
    } satisfies SupervisorEvent);
  }

  private log(line: string): void {
    this.opts.onLog?.(line);
  }

  private logger(): Logger {
    return this.opts.logger ?? silentLogger;
  }

  private connectorLogger(connectorId: string): Logger {
    return this.logger().child({ component: 'connector', connectorId });
  }
}

/** One line per run: counters only (never content); warn when something was held or failed. */
function logRun(log: Logger, r: ConnectorRunReport): void {
  const fields = {
    runId: r.runId,
    status: r.status,
    fetched: r.fetched,
    archived: r.archived,
    held: r.held,
    failed: r.failed,
    ...(r.delivery ? { delivery: r.delivery } : {}),
  };
  if (r.error) log.error({ ...fields, error: r.error }, 'run failed');
  else if (r.failed > 0 || r.heldTotal > 0) log.warn(fields, 'run finished with held or failed records');
  else if (r.fetched === 0) log.debug(fields, 'run finished: nothing new');
  else log.info(fields, 'run finished');
}
