/**
 * /integrity: whether the archive is provably complete and unaltered. It shows the last
 * verification (passed, or the first broken thing), both hash chains' heads, the latest signed
 * checkpoint, completeness gaps in the source's seq, and the age of the last backup; an auditor
 * can verify now and take the evidence package away to check it with openssl alone.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  EvidenceReadiness,
  IntegrityProblem,
  IntegritySummary,
  IntegrityVerifyJob,
  IntegrityVerifyResult,
} from '../../../../src/server/contract.js';
import { get } from '../../api.js';
import { tk } from '../../i18n-keys.js';
import {
  Button,
  Empty,
  ErrorBanner,
  Facts,
  Loading,
  Page,
  Section,
  StatusBadge,
  Table,
  useFormat,
  type Column,
} from '../../components/index.js';
import { useVerifyJob } from './use-verify-job.js';

type Gap = IntegritySummary['gaps'][number];

/** Why the evidence package cannot be downloaded yet, in words. */
const REFUSED: Record<NonNullable<EvidenceReadiness['refused']>['reason'], string> = {
  'never-verified': tk('integrity:evidencePackage.refused.never-verified'),
  'no-report': tk('integrity:evidencePackage.refused.no-report'),
  'checkpoint-newer': tk('integrity:evidencePackage.refused.checkpoint-newer'),
};

const DAY_MS = 24 * 3600_000;

/** The identifying fields of a problem, so that an operator can find the thing. */
function problemWhere(p: IntegrityProblem): string {
  const parts = [
    p.itemKey && `item ${p.itemKey}`,
    p.msgid && `msgid ${p.msgid}`,
    p.sha256 && `SHA-256 ${p.sha256}`,
    p.eventId !== undefined && `event ${p.eventId}`,
    p.checkpoint !== undefined && `checkpoint ${p.checkpoint}`,
    p.connectorId && `connector ${p.connectorId}`,
    p.from && p.to && `seq ${p.from}–${p.to}`,
  ];
  return parts.filter(Boolean).join(', ');
}

function Verification({ v }: { v: IntegritySummary['lastVerification'] | IntegrityVerifyResult | null }) {
  const { t } = useTranslation('integrity');
  const fmt = useFormat();
  if (!v) return <Empty>{t('verification.never')}</Empty>;
  return (
    <div data-testid="integrity-verification" data-ok={String(v.ok)}>
      <p>
        <StatusBadge tone={v.ok ? 'ok' : 'alarm'} testId="integrity-verification-status">
          {v.ok ? t('verification.passed') : t('verification.failed', { count: v.problemCount })}
        </StatusBadge>{' '}
        {t('verification.when', {
          at: fmt.dateTime(Date.parse(v.checkedAt)),
          duration: fmt.duration(v.durationMs),
        })}
        {v.since ? ` ${t('verification.since', { since: fmt.dateTime(Date.parse(v.since)) })}` : ''}
        {'actor' in v ? ` ${t('verification.by', { actor: v.actor })}` : ''}
      </p>
      {v.firstBroken ? (
        <p data-testid="integrity-first-broken">
          <strong>{t(`problemKind.${v.firstBroken.kind}`, { defaultValue: v.firstBroken.kind })}</strong>
          {`: ${problemWhere(v.firstBroken)} — ${v.firstBroken.reason}`}
        </p>
      ) : null}
    </div>
  );
}

/**
 * What the evidence package would carry (the latest completed verification, named), or why it
 * cannot be downloaded yet, with the way out: verify now.
 */
function EvidenceState({ e, busy, onVerify }: { e: EvidenceReadiness; busy: boolean; onVerify: () => void }) {
  const { t } = useTranslation('integrity');
  const fmt = useFormat();
  const v = e.verification;
  if (e.refused) {
    const cp = e.refused.checkpoint;
    return (
      <div data-testid="integrity-evidence-state" data-ready="false" data-reason={e.refused.reason}>
        <p className="banner banner-warning">
          {t(REFUSED[e.refused.reason], {
            number: cp?.number,
            at: cp ? fmt.dateTime(Date.parse(cp.at)) : '',
          })}
        </p>
        <Button variant="primary" busy={busy} testId="integrity-evidence-verify" onClick={onVerify}>
          {t('evidencePackage.verifyFirst')}
        </Button>
      </div>
    );
  }
  if (!v) return null;
  const scope =
    v.scope === 'full'
      ? t('evidencePackage.scopeFull')
      : t('evidencePackage.scopeSince', { since: fmt.dateTime(Date.parse(v.since!)) });
  return (
    <p data-testid="integrity-evidence-state" data-ready="true" data-verification={v.id}>
      {t('evidencePackage.carries', { id: v.id, at: fmt.dateTime(Date.parse(v.checkedAt)), actor: v.actor, scope })}
    </p>
  );
}

/** How far a running verify is; a failed run's reason. */
function JobProgress({ job }: { job: IntegrityVerifyJob }) {
  const { t } = useTranslation('integrity');
  const fmt = useFormat();
  if (job.state === 'failed') {
    return (
      <p className="banner banner-warning" data-testid="integrity-job-failed">
        {t('progress.failed', { error: job.error ?? '' })}
      </p>
    );
  }
  if (job.state !== 'running') return null;
  const { phase, done, total } = job.progress;
  return (
    <div data-testid="integrity-progress" data-phase={phase}>
      <p>
        <strong>{t('progress.title')}</strong>{' '}
        {t(`progress.${phase}`, { done: fmt.number(done), total: total === null ? '…' : fmt.number(total) })}
      </p>
      {total !== null && total > 0 ? <progress value={done} max={total} /> : <progress />}
    </div>
  );
}

export function IntegrityPage() {
  const { t } = useTranslation('integrity');
  const fmt = useFormat();
  const [summary, setSummary] = useState<IntegritySummary | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      setSummary(await get<IntegritySummary>('/api/integrity'));
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const { job, running, error: jobError, start } = useVerifyJob(() => void load());
  const busy = running;
  const verify = (since?: number) => void start(since);

  const gapColumns: Column<Gap>[] = [
    { key: 'connector', header: t('gaps.connector'), render: (g) => g.connectorId },
    { key: 'range', header: t('gaps.range'), render: (g) => `${g.from}–${g.to}` },
    { key: 'count', header: t('gaps.count'), className: 'num', render: (g) => fmt.number(g.count) },
  ];

  const cp = summary?.latestCheckpoint;
  const backup = summary?.backup;
  return (
    <Page
      title={t('title')}
      subtitle={t('subtitle')}
      testId="integrity-page"
      actions={
        <>
          <Button variant="primary" busy={busy} testId="integrity-verify" onClick={() => verify()}>
            {t('verifyNow')}
          </Button>{' '}
          <Button busy={busy} testId="integrity-verify-day" onClick={() => verify(Date.now() - DAY_MS)}>
            {t('verifyDay')}
          </Button>{' '}
          {summary && !summary.evidence.refused ? (
            <a className="btn btn-secondary" href="/api/integrity/evidence" download data-testid="integrity-evidence">
              {t('evidence')}
            </a>
          ) : (
            <Button disabled testId="integrity-evidence">
              {t('evidence')}
            </Button>
          )}
        </>
      }
    >
      {error || jobError ? <ErrorBanner error={error ?? jobError} /> : null}
      {job ? <JobProgress job={job} /> : null}
      {!summary ? (
        <Loading />
      ) : (
        <>
          <Section title={t('verification.title')}>
            <Verification v={summary.lastVerification} />
          </Section>
          <Section title={t('evidencePackage.title')}>
            <EvidenceState e={summary.evidence} busy={busy} onVerify={() => verify()} />
          </Section>
          <Section title={t('checkpoint.title')}>
            {cp ? (
              <div data-testid="integrity-checkpoint" data-number={cp.number}>
                <Facts
                  items={[
                    [t('checkpoint.number'), `#${cp.number}`],
                    [t('checkpoint.at'), fmt.dateTime(Date.parse(cp.at))],
                    [t('checkpoint.signed'), cp.signed ? t('checkpoint.signedBy', { key: cp.keyId }) : t('no')],
                    [t('checkpoint.timestamped'), cp.timestamped ? t('yes') : t('no')],
                  ]}
                />
              </div>
            ) : (
              <Empty>{t('checkpoint.none')}</Empty>
            )}
          </Section>
          <Section title={t('chains.title')}>
            <Facts
              items={[
                [
                  t('chains.ingest'),
                  <code key="i" data-testid="integrity-ingest-head">
                    {t('chains.head', { head: summary.chains.ingest.head, count: summary.chains.ingest.events })}
                  </code>,
                ],
                [
                  t('chains.audit'),
                  <code key="a" data-testid="integrity-audit-head">
                    {t('chains.head', { head: summary.chains.audit.head, count: summary.chains.audit.events })}
                  </code>,
                ],
              ]}
            />
          </Section>
          <Section title={t('gaps.title')}>
            {summary.gaps.length === 0 ? (
              <Empty>{t('gaps.none')}</Empty>
            ) : (
              <Table
                columns={gapColumns}
                rows={summary.gaps}
                rowKey={(g) => `${g.connectorId}:${g.from}`}
                testId="integrity-gaps"
              />
            )}
          </Section>
          <Section title={t('backup.title')}>
            <div data-testid="integrity-backup">
              {!backup ? (
                <Empty>{t('backup.notConfigured')}</Empty>
              ) : backup.lastAt ? (
                <Facts
                  items={[
                    [t('backup.dir'), <code key="d">{backup.dir}</code>],
                    [t('backup.lastAt'), fmt.dateTime(Date.parse(backup.lastAt))],
                    [t('backup.age'), fmt.duration(backup.ageMs)],
                  ]}
                />
              ) : (
                <p>{t('backup.none', { dir: backup.dir })}</p>
              )}
            </div>
          </Section>
        </>
      )}
    </Page>
  );
}
