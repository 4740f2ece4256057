/**
 * `audit verify`: recomputes the hash chain of the audit log and says whether any event was
 * altered, inserted or removed in the middle, naming the first one that does not fit. Meant for
 * a scheduled job; it exits 1 when the chain is broken.
 */
import {
  auditCliRead,
  auditCsvHeader,
  auditCsvRow,
  auditEventsInOrder,
  cliActor,
  pruneAudit,
  verifyAudit,
} from '../../compliance/audit/index.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';
import { parseSince } from './report.js';

export async function auditVerifyCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    const result = await verifyAudit(store.db);
    if (flags.json) printJson(io, result);
    else if (result.ok) io.out(`audit log intact: ${result.events} events, hash chain verified\n`);
    else {
      io.out(
        `audit log BROKEN at event ${result.firstBad?.id}: ${result.firstBad?.reason}; ${result.events} events checked\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

/**
 * `audit export --format csv|json [--since DATE]`: every event in chain order with its chain
 * fields, streamed page by page. Exporting the log is itself an audit event, appended first.
 */
export async function auditExportCommand(
  flags: CommonFlags & { format?: string; since?: string },
  io: Io,
): Promise<number> {
  const format = flags.format ?? 'json';
  if (format !== 'csv' && format !== 'json') {
    io.err(`audit export: --format takes csv or json, not "${format}"\n`);
    return 2;
  }
  const sinceAt = flags.since !== undefined ? parseSince(flags.since) : 0;
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    await auditCliRead(store.db, {
      action: 'audit.export',
      target: 'audit-log',
      detail: { format, ...(flags.since ? { since: flags.since } : {}) },
    });
    if (format === 'csv') io.out(auditCsvHeader());
    else io.out('[');
    let first = true;
    for await (const e of auditEventsInOrder(store.db, sinceAt)) {
      if (format === 'csv') io.out(auditCsvRow(e));
      else {
        io.out(`${first ? '' : ','}\n  ${JSON.stringify(e)}`);
        first = false;
      }
    }
    if (format === 'json') io.out(first ? ']\n' : '\n]\n');
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `audit prune [--dry-run]`: removes the audit events older than `audit.retentionDays` (never
 * less than the longest retention policy, nor the events of an open case), leaving a chained
 * anchor so that `verify` still proves the rest. Without the setting it keeps everything.
 */
export async function auditPruneCommand(
  flags: CommonFlags & { json?: boolean; dryRun?: boolean },
  io: Io,
): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    const r = await pruneAudit(store.db, {
      settingDays: cfg.audit.retentionDays,
      actor: cliActor(),
      now: Date.now(),
      ...(flags.dryRun ? { dryRun: true } : {}),
    });
    if (flags.json) printJson(io, { ...r, dryRun: flags.dryRun === true });
    else if (r.cutoffAt === null) io.out('audit log kept forever: audit.retentionDays is not set; nothing pruned\n');
    else {
      const verb = flags.dryRun ? 'would remove' : 'removed';
      io.out(`audit prune: ${verb} ${r.pruned} events before ${new Date(r.cutoffAt).toISOString()}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
