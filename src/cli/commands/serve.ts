/**
 * `serve`: the long-running service. Runs every configured connector on its schedule. With no
 * connector configured it creates a sandbox tenant in the data directory, keeps adding traffic
 * to it as a live corp would, and archives it continuously, so a newcomer sees the whole flow.
 * On a PostgreSQL database the process plays `--role` beside others instead (serve-roles.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type Config, type ConnectorConfig } from '../../config/index.js';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { startAuditPruneSchedule } from '../../compliance/audit/index.js';
import { startBackupSchedule } from '../../compliance/backup/index.js';
import { startCheckpointSchedule } from '../../compliance/evidence/index.js';
import { startDispositionSchedule } from '../../compliance/retention/schedule.js';
import { Supervisor } from '../../pipeline/supervisor.js';
import { deleteExpiredSessions, issueSetupToken, SecretBox, UPLOAD_SESSION_SEAL } from '../../security/index.js';
import { loadManagedConnectors } from '../../connectors/managed.js';
import { appendMessages, generateTenant, readTenant } from '../../sources/sandbox/index.js';
import { createCallbackHandler, startCallbackServer, type CallbackServer } from '../../sources/wecom/callback/index.js';
import { listConnectorDefinitions } from '../../store/index.js';
import { cliLogger, resolveConfig, storeOptionsFor, type CommonFlags, type SandboxFlags } from '../context.js';
import type { Io } from '../io.js';
import { openWriter, type WriterFlags } from '../writer.js';
import { workersOf } from './run.js';
import { IdleSummary } from '../idle-summary.js';
import { listenAsConfigured } from '../listen-console.js';
import { SOURCES } from '../../sources/index.js';
import { ArchiverError } from '../../core/errors.js';
import { SERVE_ROLES, type ServeRole } from '../../pipeline/roles.js';
import { databaseUrl } from '../database.js';

export interface ServeFlags extends CommonFlags, SandboxFlags, WriterFlags {
  interval?: string;
  runs?: string;
  host?: string;
  port?: string;
  console?: boolean;
  demo?: boolean;
  /** all (default), capture, worker or console: see serve-roles.ts */
  role?: string;
  /** lease length of the role processes, s */
  leaseSeconds?: string;
}

/** Messages added to the demo tenant before each run, to show traffic arriving. */
const DEMO_TRAFFIC_PER_RUN = 25;

/** The built web console: web/dist of the package (three levels above this file in src/ and dist/). */
const WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export async function serveCommand(flags: ServeFlags, io: Io): Promise<number> {
  const role = (flags.role ?? 'all') as ServeRole;
  if (!SERVE_ROLES.includes(role)) {
    io.err(`serve: --role takes ${SERVE_ROLES.join(', ')}, not "${flags.role}"\n`);
    return 2;
  }
  // On PostgreSQL every role, `all` included, shares the database with other processes.
  if (databaseUrl(flags) !== undefined) return (await import('./serve-roles.js')).serveRoles(role, flags, io);
  if (role !== 'all')
    throw new ArchiverError(
      'WXA_SERVE_ROLE_SQLITE',
      `serve --role ${role}: the embedded SQLite archive has one writer, the single process of \`serve\` (--role all). ` +
        'Several processes need a PostgreSQL database: pass --database postgres://... or set WXA_DATABASE_URL (see docs/deployment.md)',
    );
  if (flags.leaseSeconds !== undefined) io.err('serve: --lease-seconds applies to PostgreSQL only; ignored\n');
  let cfg = await resolveConfig(flags);
  const logger = cliLogger(cfg.logLevel, io);
  const opened = await openWriter(cfg.dataDir, 'serve', flags, io, storeOptionsFor(cfg, flags));
  if ('exit' in opened) return opened.exit;
  const { store } = opened;
  let demoDir: string | undefined;
  const consoleConnectors = await listConnectorDefinitions(store.db);
  if (cfg.connectors.length === 0 && consoleConnectors.length === 0 && flags.demo !== false) {
    demoDir = join(cfg.dataDir, 'sandbox-tenant');
    if (!existsSync(join(demoDir, 'tenant.json'))) {
      io.err(`no connector configured: creating a sandbox tenant in ${demoDir}\n`);
      await generateTenant({ outDir: demoDir, seed: 1, messages: 400 });
    }
    cfg = withDemoConnector(cfg, demoDir);
  }
  const secrets = await SecretBox.open({ dataDir: cfg.dataDir });
  const maxRuns = flags.runs === undefined ? undefined : Number(flags.runs);
  const intervalSeconds = flags.interval ? Number(flags.interval) : undefined;
  let seed = 1000;
  const supervisor = new Supervisor({
    store,
    workers: workersOf(cfg),
    sources: SOURCES,
    seal: secrets.textSeal(UPLOAD_SESSION_SEAL),
    load: () =>
      loadManagedConnectors({
        config: cfg,
        store,
        secrets,
        onError: (l) => io.err(`${l}\n`),
        ...(demoDir ? { demoConnectorId: DEMO_ID } : {}),
      }),
    ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    ...(maxRuns !== undefined ? { maxRuns } : {}),
    onLog: (line) => io.err(`${line}\n`),
    logger,
    beforeRun: async (c, runNumber) => {
      if (!demoDir || c.id !== DEMO_ID || runNumber === 0) return;
      // New traffic with times of now, spread over the interval, as a live corp would send it.
      const intervalS = intervalSeconds ?? c.schedule.intervalSeconds;
      const gap = Math.max(1, Math.floor((intervalS * 1000) / DEMO_TRAFFIC_PER_RUN));
      await appendMessages(demoDir, DEMO_TRAFFIC_PER_RUN, seed++, {
        after: Date.now() - intervalS * 1000,
        meanGapMs: gap,
      });
    },
  });

  let finished = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const perConnectorRuns = new Map<string, number>();
  const idle = new IdleSummary();
  supervisor.on((e) => {
    if (e.type !== 'run') return;
    const r = e.report;
    for (const line of idle.lines(r, Date.now())) io.out(`${line}\n`);
    if (r.error) io.err(`${r.connectorId}: ${r.error}\n`);
    const n = (perConnectorRuns.get(r.connectorId) ?? 0) + 1;
    perConnectorRuns.set(r.connectorId, n);
    if (maxRuns !== undefined && n === maxRuns && ++finished >= supervisor.list().length) resolveDone();
  });
  // The console listens before any run starts: a port already taken ends `serve` at once with
  // a clear message instead of a service that archives without the console it promised.
  let app: FastifyInstance | undefined;
  let consoleAddress: string | undefined;
  if (flags.console !== false && cfg.console.enabled) {
    // Loaded here only: the role processes of a PostgreSQL archive without a console never load the HTTP layer.
    const { buildApp } = await import('../../server/app.js');
    app = await buildApp({
      store,
      config: cfg,
      secrets,
      supervisor,
      webRoot: WEB_ROOT,
      secureCookies: cfg.console.secureCookies,
      logger,
    });
    const listened = await listenAsConfigured(app, flags, cfg.console);
    if (!listened.ok) {
      io.err(`${listened.message}\n`);
      await app.close();
      await store.close();
      return 1;
    }
    consoleAddress = listened.address;
  }

  await supervisor.start();
  for (const s of supervisor.list()) {
    const intervalS = intervalSeconds ?? s.config.schedule.intervalSeconds;
    io.err(`${s.id}: archiving every ${intervalS} s into ${cfg.dataDir}\n`);
  }

  const callbacks: CallbackServer[] = [];
  for (const c of cfg.connectors) {
    if (!c.callback) continue;
    const token = process.env[c.callback.tokenEnv];
    const encodingAesKey = process.env[c.callback.encodingAesKeyEnv];
    if (!token || !encodingAesKey) {
      throw new Error(
        `${c.id}: the callback needs $${c.callback.tokenEnv} and $${c.callback.encodingAesKeyEnv} (Token and EncodingAESKey from the WeCom admin console)`,
      );
    }
    const corpId = c.source.kind === 'wecom' ? c.source.corpId : (await readTenant(c.source.dir)).corpId;
    const server = await startCallbackServer({
      host: c.callback.host,
      port: c.callback.port,
      path: c.callback.path,
      // A notification only wakes the schedule: the pull never runs inside WeCom's request.
      handler: createCallbackHandler({ token, encodingAesKey, corpId, onNotify: () => supervisor.runNow(c.id) }),
    });
    callbacks.push(server);
    io.err(`${c.id}: msgaudit_notify callback listening on ${server.url}\n`);
  }

  if (app && consoleAddress) {
    io.err(`console: ${consoleAddress}/\n`);
    const token = await issueSetupToken(store.db, Date.now());
    if (token) {
      io.err(
        `no administrator yet: open ${consoleAddress}/setup and enter this one-time setup token:\n\n    ${token}\n\n`,
      );
    }
  }

  // Expired sessions are refused on sight; this only keeps their rows from piling up.
  const checkpoints = startCheckpointSchedule(store.db, cfg, (line) => io.err(`${line}\n`));
  const disposition = startDispositionSchedule(store, cfg, (line) => io.err(`${line}\n`));
  const backups = startBackupSchedule(store.db, cfg, (line) => io.err(`${line}\n`));
  const auditPrune = startAuditPruneSchedule(store.db, cfg, (line) => io.err(`${line}\n`));
  const sweep = setInterval(() => void deleteExpiredSessions(store.db, Date.now()).catch(() => undefined), 3600_000);
  sweep.unref();

  const stop = () => resolveDone();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  clearInterval(sweep);
  await app?.close();
  await Promise.all(callbacks.map((c) => c.close()));
  await supervisor.stop();
  await disposition.stop();
  await backups.stop();
  await auditPrune.stop();
  await checkpoints.stop();
  await store.close();
  return 0;
}

const DEMO_ID = 'sandbox';

function withDemoConnector(cfg: Config, dir: string): Config {
  const connector: Partial<ConnectorConfig> = {
    id: DEMO_ID,
    name: 'Sandbox tenant (demo)',
    source: { kind: 'sandbox', dir },
  };
  return parseConfig({ ...cfg, connectors: [connector] }, 'serve', cfg.dataDir);
}
