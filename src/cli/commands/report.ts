/** `report --since DATE`: runs and days with their counters, destinations, and every problem item. */
import { buildReport, type Report } from '../../store/index.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { isoTime, printJson, table, type Io } from '../io.js';

export interface ReportFlags extends CommonFlags {
  since?: string;
  json?: boolean;
  csv?: boolean;
}

export async function reportCommand(flags: ReportFlags, io: Io): Promise<number> {
  const since = parseSince(flags.since);
  const cfg = await resolveConfig(flags, true);
  const store = await openConfiguredStore(cfg, flags);
  let report: Report;
  try {
    report = await buildReport(store.db, { since });
  } finally {
    await store.close();
  }
  if (flags.json) printJson(io, report);
  else if (flags.csv) io.out(problemsCsv(report));
  else io.out(human(report));
  return 0;
}

export function parseSince(v: string | undefined): number {
  if (v === undefined) return Date.now() - 24 * 3600_000;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new Error(`--since takes a date like 2026-11-01 or an ISO time, not "${v}"`);
  return t;
}

const held = (h: Record<string, number>) =>
  Object.entries(h)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '0';

function human(r: Report): string {
  const t = r.totals;
  let out = `report since ${isoTime(r.since)}\n\n`;
  out +=
    `${t.atSource} record(s) captured: ${t.archived} archived (${t.duplicates} duplicates), ` +
    `${t.heldTotal} held, ${t.failed} failed, ${t.pending} pending; ${t.afterFanOut} mailbox entries\n`;
  out += '\nper day captured (UTC), by outcome now\n';
  out += table([
    ['DAY', 'RUNS', 'AT SOURCE', 'AFTER FAN-OUT', 'ARCHIVED', 'DUPLICATES', 'HELD', 'FAILED', 'PENDING'],
    ...r.days.map((d) => [
      d.day,
      String(d.runs),
      String(d.atSource),
      String(d.afterFanOut),
      String(d.archived),
      String(d.duplicates),
      held(d.held),
      String(d.failed),
      String(d.pending),
    ]),
  ]);
  const notOk = r.runs.filter((x) => x.outcome !== 'succeeded' && x.outcome !== 'running');
  if (notOk.length) {
    out += `\n${notOk.length} run(s) held every record, failed or were interrupted\n`;
    out += table([
      ['RUN', 'CONNECTOR', 'STARTED', 'OUTCOME', 'AT SOURCE', 'PROCESSED', 'ARCHIVED', 'HELD', 'FAILED'],
      ...notOk.map((x) => [
        String(x.runId),
        x.connectorId,
        isoTime(x.startedAt),
        x.outcome,
        String(x.atSource),
        String(x.processed),
        String(x.archived),
        held(x.held),
        String(x.failed),
      ]),
    ]);
  }
  if (r.destinations.length) {
    out += '\ndestinations\n';
    out += table([
      ['DESTINATION', 'DELIVERED', 'PARTIAL', 'DUPLICATES', 'PENDING', 'HELD'],
      ...r.destinations.map((d) => [
        d.destinationId,
        String(d.delivered),
        String(d.partial),
        String(d.duplicates),
        String(d.pending),
        String(d.held),
      ]),
    ]);
  }
  out += `\n${r.problems.length} problem item(s)\n`;
  if (r.problems.length) {
    out += table([
      ['ITEM', 'SOURCE USER', 'TARGET MAILBOX', 'REASON', 'DETAIL'],
      ...r.problems.slice(0, 200).map((p) => [p.itemId, p.sourceUser, p.targetMailbox, p.reason, p.detail]),
    ]);
    if (r.problems.length > 200) out += `... ${r.problems.length - 200} more: use --csv or --json\n`;
  }
  if (r.partial.length) {
    out += `\n${r.partial.length} attachment(s) left out of partial deliveries (the archive keeps each file)\n`;
    out += table([
      ['ITEM', 'TARGET MAILBOX', 'DESTINATION', 'ATTACHMENT', 'BYTES', 'WHY'],
      ...r.partial
        .slice(0, 200)
        .map((p) => [
          p.itemId,
          p.targetMailbox,
          p.destinationId,
          p.attachment,
          String(p.size),
          PARTIAL_WHY[p.reason] ?? p.reason,
        ]),
    ]);
    if (r.partial.length > 200) out += `... ${r.partial.length - 200} more: use --csv or --json\n`;
  }
  return out;
}

const PARTIAL_WHY: Record<string, string> = {
  'too-large': "too large for the mailbox's message size limit",
  'blocked-type': 'a file type the mail service refuses',
};

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function problemsCsv(r: Report): string {
  const rows = [['item_id', 'source_user', 'target_mailbox', 'reason', 'detail', 'time']];
  for (const p of r.problems) rows.push([p.itemId, p.sourceUser, p.targetMailbox, p.reason, p.detail, isoTime(p.at)]);
  for (const p of r.partial) {
    const why = PARTIAL_WHY[p.reason] ?? p.reason;
    const detail = `${p.destinationId}: ${p.attachment} (${p.size} bytes, SHA-256 ${p.sha256}) left out: ${why}`;
    rows.push([p.itemId, p.sourceUser, p.targetMailbox, `partial-${p.reason}`, detail, isoTime(p.at)]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
