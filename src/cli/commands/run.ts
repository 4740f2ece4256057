/** `run --once`: one run of every configured connector (or the sandbox given by flags), with a report. */
import cliProgress from 'cli-progress';
import { type Config } from '../../config/index.js';
import { checkpointIfChanged } from '../../compliance/evidence/index.js';
import {
  defaultPrepareThreads,
  runConnector,
  type ConnectorRunReport,
  type RunProgress,
} from '../../pipeline/index.js';
import { SecretBox, UPLOAD_SESSION_SEAL } from '../../security/index.js';
import { cliLogger, resolveConfig, storeOptionsFor, type CommonFlags, type SandboxFlags } from '../context.js';
import { printJson, type Io } from '../io.js';
import { openWriter, type WriterFlags } from '../writer.js';
import { SOURCES } from '../../sources/index.js';

export interface RunFlags extends CommonFlags, SandboxFlags, WriterFlags {
  once?: boolean;
  json?: boolean;
}

export function workersOf(cfg: Config): number {
  return cfg.workers ?? defaultPrepareThreads();
}

export async function runCommand(flags: RunFlags, io: Io): Promise<number> {
  if (!flags.once) {
    io.err('run: pass --once for a single run, or use `serve` for the continuous service\n');
    return 2;
  }
  const cfg = await resolveConfig(flags);
  const logger = cliLogger(cfg.logLevel, io);
  const connectors = flags.connector ? cfg.connectors.filter((c) => c.id === flags.connector) : cfg.connectors;
  if (connectors.length === 0) {
    io.err('run: no connector configured; pass --sandbox DIR, or --config FILE (see config.example.json)\n');
    return 2;
  }
  const opened = await openWriter(cfg.dataDir, 'run --once', flags, io, storeOptionsFor(cfg, flags));
  if ('exit' in opened) return opened.exit;
  const { store } = opened;
  // Credentials a run keeps in the database (Graph upload session URLs) are sealed, as `serve` does.
  const seal = (await SecretBox.open({ dataDir: cfg.dataDir })).textSeal(UPLOAD_SESSION_SEAL);
  const reports: ConnectorRunReport[] = [];
  try {
    for (const c of connectors) {
      const bar =
        !flags.json && io.tty
          ? new cliProgress.SingleBar({ format: `${c.id} [{bar}] {value}/{total} {phase}` })
          : undefined;
      let started = false;
      const onProgress = (p: RunProgress) => {
        if (!bar) return;
        if (!started) {
          bar.start(Math.max(p.total, 1), 0, { phase: p.phase });
          started = true;
        }
        bar.setTotal(Math.max(p.total, p.processed, 1));
        bar.update(p.processed, { phase: p.phase });
      };
      const report = await runConnector(store, c, {
        sources: SOURCES,
        workers: workersOf(cfg),
        onProgress,
        seal,
        logger,
      });
      bar?.stop();
      reports.push(report);
      if (!flags.json) io.out(formatReport(report));
      // Said on stderr too, so that a JSON consumer's log shows why the exit status is 1.
      else if (report.error) io.err(`${report.connectorId}: ${report.error}\n`);
    }
    // Every run ends signed: the checkpoint anchors what it archived outside the database.
    const cp = await checkpointIfChanged(store.db, cfg);
    if (cp?.tsaError) io.err(`checkpoint #${cp.statement.number} is signed but NOT time-stamped: ${cp.tsaError}\n`);
  } finally {
    await store.close();
  }
  if (flags.json) printJson(io, reports.length === 1 ? reports[0] : reports);
  return reports.some((r) => r.status === 'failed') ? 1 : 0;
}

export function formatReport(r: ConnectorRunReport): string {
  const held = Object.entries(r.held)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `run ${r.runId} of ${r.connectorId}: ${r.outcome === 'held' ? 'held (every record it processed was held; none reached a mailbox)' : r.status} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  captured ${r.captured}, processed ${r.fetched}: archived ${r.archived}, held ${r.heldTotal}${held ? ` (${held})` : ''}, failed ${r.failed}`,
    `  deliveries ${r.deliveries} into WeChat Archiver folders; media ${r.media.fetched} files, ${r.media.bytes} bytes`,
  ];
  if (r.unmappedParticipants) lines.push(`  ${r.unmappedParticipants} employee(s) map to no mailbox: see \`status\``);
  if (r.released.unmapped || r.released.keyMissing)
    lines.push(`  re-evaluated: ${r.released.unmapped} unmapped, ${r.released.keyMissing} key-missing`);
  for (const p of r.mappingProblems.slice(0, 20)) lines.push(`  mapping: ${p}`);
  if (r.mappingProblems.length > 20) lines.push(`  mapping: ... ${r.mappingProblems.length - 20} more problems`);
  if (r.health.level !== 'ok' || r.health.reasons.length)
    lines.push(`  health ${r.health.level}: ${r.health.reasons.join('; ')}`);
  if (r.health.seqBehind && r.health.seqBehind !== '0')
    lines.push(`  ${r.health.seqBehind} record(s) behind the source`);
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n') + '\n';
}
