/**
 * `verify` and `checkpoint`: prove the archive complete and unaltered (exit 1 naming the first
 * broken thing), and sign a checkpoint of both logs' heads on demand. Meant for a scheduled
 * job: a full run weekly, `--since yesterday's date` daily.
 */
import { readFile } from 'node:fs/promises';
import {
  checkpointIfChanged,
  describeProblem,
  evidenceKeyPath,
  trustedPublicKey,
  trustedTsaPem,
  verifyArchive,
  type VerifyReport,
} from '../../compliance/evidence/index.js';
import { openStore } from '../../store/index.js';
import { resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';
import { parseSince } from './report.js';

export interface VerifyFlags extends CommonFlags {
  json?: boolean;
  since?: string;
  publicKey?: string;
  tsaCa?: string;
}

export async function verifyCommand(flags: VerifyFlags, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openStore(cfg.dataDir);
  try {
    const publicKeyPem = await trustedPublicKey(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile), flags.publicKey);
    const tsaCaPem = flags.tsaCa ? await readFile(flags.tsaCa, 'utf8') : await trustedTsaPem(cfg);
    const report = await verifyArchive(store, {
      ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
      ...(publicKeyPem ? { publicKeyPem } : {}),
      ...(tsaCaPem ? { tsaCaPem } : {}),
    });
    if (flags.json) printJson(io, report);
    else io.out(formatVerify(report));
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function formatVerify(r: VerifyReport): string {
  const lines = [
    `${r.ok ? 'archive verified' : 'archive NOT verified'}${r.since ? ` (since ${r.since})` : ''} in ${r.durationMs} ms`,
    `  ingest log: ${r.ingest.events} events, head ${r.ingest.head.slice(0, 16)}; ${r.ingest.rawRecords} raw records, ${r.ingest.items} items, ${r.ingest.entries} mailbox entries checked; ${r.tombstones} tombstones`,
    `  blobs: ${r.blobs.checked} re-hashed (${r.blobs.bytes} bytes)`,
    `  audit log: ${r.audit.events} events, chain ${r.audit.ok ? 'intact' : 'BROKEN'}`,
    `  checkpoints: ${r.checkpoints.checked} signed${r.checkpoints.timestamped ? `, ${r.checkpoints.timestamped} time-stamps verified` : ''}${r.checkpoints.latest ? `; latest #${r.checkpoints.latest.number} at ${r.checkpoints.latest.at}` : ''}`,
    `  completeness gaps: ${r.gaps.length === 0 ? 'none' : r.gaps.map((g) => `${g.connectorId} seq ${g.from}..${g.to}`).join(', ')}`,
  ];
  if (r.firstBroken) {
    lines.push('', `FIRST BROKEN: ${describeProblem(r.firstBroken)}`);
    for (const p of r.problems.slice(1, 20)) lines.push(`  also: ${describeProblem(p)}`);
    if (r.problemCount > 20) lines.push(`  ... ${r.problemCount - 20} more (--json lists up to 100)`);
  }
  return lines.join('\n') + '\n';
}

export async function checkpointCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openStore(cfg.dataDir);
  try {
    const result = await checkpointIfChanged(store.db, cfg, { force: true });
    if (flags.json) printJson(io, result);
    else {
      io.out(
        `checkpoint #${result!.statement.number} signed at ${result!.statement.at} (ingest ${result!.statement.ingest.events} events, audit ${result!.statement.audit.events} events)` +
          `${result!.timestamped ? ', time-stamped' : ''}${result!.tsaError ? `; NOT time-stamped: ${result!.tsaError}` : ''}\n`,
      );
    }
    return result?.tsaError ? 1 : 0;
  } finally {
    await store.close();
  }
}
