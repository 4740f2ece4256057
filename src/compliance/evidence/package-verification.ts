/**
 * Which verification the console's evidence package carries. Running a full verify inside the
 * download would hold the request for as long as the archive takes to re-hash; instead the
 * package carries the latest completed verification (the console's Verify now, or
 * `wechat-archiver verify`, keep their whole report) and names it: run number, time, scope.
 * It is refused when there is none, when the run kept no report (made before reports were
 * kept), or when a checkpoint was signed after the run started, since the report would then
 * not cover every checkpoint the package holds. The CLI's `evidence` still verifies afresh.
 */
import type { CheckpointStatement } from './checkpoint.js';
import { ArchiverError } from '../../core/errors.js';
import { lastVerifyRun, latestCheckpoint, type Db, type VerifyRunRow } from '../../store/index.js';
import type { EvidenceReadiness, PackagedVerification } from './integrity-types.js';
import type { VerifyReport } from './verify.js';

function describeRun(run: VerifyRunRow): PackagedVerification {
  return {
    id: run.id,
    checkedAt: new Date(Number(run.checked_at)).toISOString(),
    scope: run.since === null ? 'full' : 'since',
    since: run.since === null ? null : new Date(Number(run.since)).toISOString(),
    ok: run.ok === 1,
    problemCount: run.problem_count,
    actor: run.actor,
    via: run.via,
  };
}

interface Assessed {
  readiness: EvidenceReadiness;
  report: VerifyReport | null;
}

async function assess(db: Db): Promise<Assessed> {
  const run = await lastVerifyRun(db);
  if (!run)
    return { readiness: { verification: null, refused: { reason: 'never-verified', checkpoint: null } }, report: null };
  const verification = describeRun(run);
  if (run.report_json === null) {
    return { readiness: { verification, refused: { reason: 'no-report', checkpoint: null } }, report: null };
  }
  const cp = await latestCheckpoint(db);
  if (cp && Number(cp.at) > Number(run.checked_at)) {
    const { number } = JSON.parse(cp.statement) as CheckpointStatement;
    const checkpoint = { number, at: new Date(Number(cp.at)).toISOString() };
    return { readiness: { verification, refused: { reason: 'checkpoint-newer', checkpoint } }, report: null };
  }
  return { readiness: { verification, refused: null }, report: JSON.parse(run.report_json) as VerifyReport };
}

/** What a package downloaded now would carry, or why it would be refused (the Integrity page shows it). */
export async function evidenceReadiness(db: Db): Promise<EvidenceReadiness> {
  return (await assess(db)).readiness;
}

/** The verification a package made now carries, with its report; WXA_EVIDENCE_NOT_VERIFIED when there is none to carry. */
export async function packagedVerification(
  db: Db,
): Promise<{ verification: PackagedVerification; report: VerifyReport }> {
  const { readiness, report } = await assess(db);
  const v = readiness.verification;
  const refused = readiness.refused;
  if (!refused && v && report) return { verification: v, report };
  const again = 'run Verify now on the Integrity page (or `wechat-archiver verify`), then download the package again';
  const run = v ? `the latest verification (run ${v.id}, started ${v.checkedAt})` : '';
  const message =
    refused?.reason === 'checkpoint-newer'
      ? `checkpoint ${refused.checkpoint!.number}, signed ${refused.checkpoint!.at}, is newer than ${run}: its report does not cover every checkpoint the package would hold; ${again}`
      : refused?.reason === 'no-report'
        ? `${run} was recorded before verification reports were kept, so there is no report to put in the package; ${again}`
        : `no verification has been completed yet; the evidence package carries the latest completed verification: ${again}`;
  throw new ArchiverError('WXA_EVIDENCE_NOT_VERIFIED', message, {
    details: { reason: refused?.reason ?? 'never-verified', verification: v, checkpoint: refused?.checkpoint ?? null },
  });
}
