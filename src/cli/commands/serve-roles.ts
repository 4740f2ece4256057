/**
 * `serve` on a PostgreSQL database: the process plays one role (`--role capture|worker|console`)
 * or all of them (`all`), beside any number of other processes on the same database. No writer
 * lock is taken (that is SQLite's single-writer rule); instead each connector's capture runs under
 * a lease, workers claim records with fencing tokens, and the jobs one process at a time may run
 * (checkpoints, disposition, audit pruning) each run under a lease of their own. The process's
 * heartbeat lease says it is alive, so its runs are not taken for interrupted ones.
 *
 * The HTTP layer is imported only when this process serves the console: a worker never loads it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startAuditPruneSchedule } from '../../compliance/audit/index.js';
import { startCheckpointSchedule } from '../../compliance/evidence/index.js';
import { startDispositionSchedule } from '../../compliance/retention/schedule.js';
import { loadManagedConnectors } from '../../connectors/managed.js';
import { holdLease } from '../../pipeline/lease-keeper.js';
import {
  startCaptureRole,
  startUnderLease,
  startWorkerRole,
  type RoleDeps,
  type RunningRole,
  type ServeRole,
} from '../../pipeline/roles.js';
import { deleteExpiredSessions, issueSetupToken, SecretBox, UPLOAD_SESSION_SEAL } from '../../security/index.js';
import { SOURCES } from '../../sources/index.js';
import { ensurePrivateDir, openStore, processLeaseName } from '../../store/index.js';
import { cliLogger, resolveConfig, storeOptionsFor } from '../context.js';
import type { Io } from '../io.js';
import { listenAsConfigured } from '../listen-console.js';
import type { ServeFlags } from './serve.js';
import { workersOf } from './run.js';

/** The built web console: web/dist of the package (three levels above this file in src/ and dist/). */
const WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Default lease length, s: how long a dead process's capture, claims and jobs wait before another takes them. */
const DEFAULT_LEASE_SECONDS = 30;

export async function serveRoles(role: ServeRole, flags: ServeFlags, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const logger = cliLogger(cfg.logLevel, io);
  const leaseSeconds = flags.leaseSeconds === undefined ? DEFAULT_LEASE_SECONDS : Number(flags.leaseSeconds);
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 1) {
    io.err(`serve: --lease-seconds takes a number of seconds of at least 1, not "${flags.leaseSeconds}"\n`);
    return 2;
  }
  const intervalSeconds = flags.interval !== undefined ? Number(flags.interval) : undefined;
  // What only the single process does, said rather than silently dropped.
  if (flags.runs !== undefined) io.err('serve: --runs applies to the single process on SQLite; ignored\n');
  for (const c of cfg.connectors)
    if (c.callback)
      io.err(
        `${c.id}: the msgaudit_notify callback is served by the single process on SQLite only; ` +
          'on PostgreSQL the capture runs on its interval\n',
      );
  await ensurePrivateDir(cfg.dataDir);
  const store = await openStore(cfg.dataDir, storeOptionsFor(cfg, flags));
  const secrets = await SecretBox.open({ dataDir: cfg.dataDir });
  const owner = randomUUID();
  const holder = `${hostname()} pid ${process.pid} serve --role ${role}`;
  const leaseMs = leaseSeconds * 1000;
  const heartbeat = await holdLease(store.db, processLeaseName(owner), { owner, holder, ttlMs: leaseMs, waitMs: 0 });
  const log = (line: string) => io.err(`${line}\n`);
  // One interval for the process: `--interval`, else the shortest schedule of the file's connectors (at most 5 min).
  const intervalMs =
    (intervalSeconds ?? Math.min(300, ...cfg.connectors.map((c) => c.schedule.intervalSeconds))) * 1000;
  const deps: RoleDeps = {
    store,
    sources: SOURCES,
    workers: workersOf(cfg),
    owner,
    holder,
    leaseMs,
    // A send in flight cannot be fenced: its lease is ten times the others (at least a minute).
    deliveryLeaseMs: Math.max(10 * leaseMs, 60_000),
    heartbeat: { name: processLeaseName(owner), owner },
    alive: heartbeat,
    intervalMs,
    seal: secrets.textSeal(UPLOAD_SESSION_SEAL),
    logger,
    onLog: log,
    onPass: (r) => {
      if (r.captured > 0) io.out(`${r.connectorId}: run ${r.runId} captured ${r.captured}\n`);
      if (r.fetched > 0 || r.claims)
        io.out(
          `${r.connectorId}: run ${r.runId} processed ${r.fetched}, archived ${r.archived}` +
            (r.claims
              ? `; batches ${r.claims.committed} committed, ${r.claims.reclaimed} claimed again, ${r.claims.lost} lost\n`
              : '\n'),
        );
    },
    load: () => loadManagedConnectors({ config: cfg, store, secrets, onError: log }),
  };

  const parts: RunningRole[] = [];
  const stopAll = async () => {
    for (const p of parts.splice(0).reverse()) await p.stop();
  };
  try {
    if (role === 'console' || (role === 'all' && flags.console !== false && cfg.console.enabled)) {
      const served = await serveConsole(flags, io, { store, cfg, secrets, logger, process: { owner, holder } });
      if (!served) return 1;
      parts.push(served);
    }
    if (role === 'capture' || role === 'all') parts.push(startCaptureRole(deps));
    if (role === 'worker' || role === 'all') parts.push(startWorkerRole(deps));
    if (role !== 'console') {
      // Jobs that write on a schedule: one process at a time of all those on the database.
      parts.push(startUnderLease(deps, 'schedule:checkpoint', () => startCheckpointSchedule(store.db, cfg, log)));
      parts.push(startUnderLease(deps, 'schedule:disposition', () => startDispositionSchedule(store, cfg, log)));
      parts.push(startUnderLease(deps, 'schedule:audit-prune', () => startAuditPruneSchedule(store.db, cfg, log)));
      if (cfg.backup)
        log(
          'serve: scheduled backups run on the embedded SQLite archive only; back PostgreSQL up with its own tools (docs/deployment.md)',
        );
    }
    io.err(`serve --role ${role}: running as ${holder}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await stopAll();
    await heartbeat.release();
    await store.close();
  }
}

/** The console alone: loaded only here, so processes without it never load the HTTP layer. */
async function serveConsole(
  flags: ServeFlags,
  io: Io,
  deps: {
    store: Awaited<ReturnType<typeof openStore>>;
    cfg: Awaited<ReturnType<typeof resolveConfig>>;
    secrets: SecretBox;
    logger: ReturnType<typeof cliLogger>;
    process: { owner: string; holder: string };
  },
): Promise<RunningRole | undefined> {
  const { buildApp } = await import('../../server/app.js');
  const { store, cfg } = deps;
  const app = await buildApp({
    store,
    config: cfg,
    secrets: deps.secrets,
    webRoot: WEB_ROOT,
    secureCookies: cfg.console.secureCookies,
    logger: deps.logger,
    process: deps.process,
  });
  const listened = await listenAsConfigured(app, flags, cfg.console);
  if (!listened.ok) {
    io.err(`${listened.message}\n`);
    await app.close();
    return undefined;
  }
  io.err(`console: ${listened.address}/\n`);
  const token = await issueSetupToken(store.db, Date.now());
  if (token)
    io.err(
      `no administrator yet: open ${listened.address}/setup and enter this one-time setup token:\n\n    ${token}\n\n`,
    );
  // Sessions live in the database, so any console process answers any signed-in user.
  const sweep = setInterval(() => void deleteExpiredSessions(store.db, Date.now()).catch(() => undefined), 3600_000);
  sweep.unref();
  return {
    stop: async () => {
      clearInterval(sweep);
      await app.close();
    },
  };
}
