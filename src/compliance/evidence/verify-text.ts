/** The verification report as a person reads it: `verify` on a terminal, and in the evidence package. */
import { describeProblem } from './problems.js';
import type { VerifyReport } from './verify.js';

export function formatVerifyText(r: VerifyReport): string {
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
