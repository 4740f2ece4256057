/**
 * Step 6: everything the wizard will save, in one place, before Finish. Secrets appear only as
 * set or not set (and whether a stored one is kept unchanged).
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Facts, Section, StatusBadge, useFormat } from '../../components/index.js';
import { destinationIndex, secretIsSet, type StepProps } from './draft.js';
import { CLOUD_LABEL, DESTINATION_LABEL } from './labels.js';

export function ReviewStep({ draft, mode, termsVersion }: StepProps & { termsVersion: string }) {
  const { t } = useTranslation('wizard');
  const f = useFormat();

  const secret = (typed: boolean, storedName: string): ReactNode => {
    const stored = mode.editing && secretIsSet(mode.secrets, storedName);
    if (typed) return <StatusBadge tone="ok">{stored ? t('secret.replaced') : t('secret.set')}</StatusBadge>;
    if (stored) return <StatusBadge tone="ok">{t('secret.kept')}</StatusBadge>;
    return <StatusBadge tone="warning">{t('secret.unset')}</StatusBadge>;
  };
  const yesNo = (b: boolean) => (b ? t('review.yes') : t('review.no'));
  const orDash = (s: string) => (s.trim() ? s.trim() : '—');
  const keys = draft.privateKeys.filter((k) => k.pem.trim());

  return (
    <div className="step" data-testid="review">
      <Section title={t('steps.terms')}>
        <Facts items={[[t('review.termsAccepted'), `${yesNo(draft.termsAccepted)} (${termsVersion})`]]} />
      </Section>
      <Section title={t('steps.source')}>
        <Facts
          items={[
            [t('source.name'), draft.name],
            [t('source.id'), <span className="mono">{draft.id}</span>],
            [t('source.kind'), draft.sourceKind === 'sandbox' ? t('source.sandbox') : t('source.wecom')],
            ...(draft.sourceKind === 'sandbox'
              ? ([[t('source.sandboxMessages'), orDash(draft.sandboxMessages)]] as [ReactNode, ReactNode][])
              : ([
                  [t('source.corpId'), <span className="mono">{draft.corpId}</span>],
                  [t('source.archiveSecret'), secret(Boolean(draft.archiveSecret), 'archiveSecret')],
                  [
                    t('source.keys'),
                    <span>
                      {secret(keys.length > 0, 'privateKeys')}{' '}
                      {keys.length > 0
                        ? t('review.keyVersions', { versions: keys.map((k) => k.version).join(', ') })
                        : null}
                    </span>,
                  ],
                  [t('source.sdkLibrary'), <span className="mono">{draft.sdkLibrary}</span>],
                  [t('source.proxy'), orDash(draft.proxy)],
                  [t('source.proxyPassword'), secret(Boolean(draft.proxyPassword), 'proxyPassword')],
                ] as [ReactNode, ReactNode][])),
          ]}
        />
      </Section>
      <Section title={t('steps.mapping')}>
        <Facts
          items={[
            [t('mapping.auto'), yesNo(draft.autoMapping)],
            [t('mapping.template'), <span className="mono">{orDash(draft.addressTemplate)}</span>],
            [t('mapping.catchAll'), orDash(draft.catchAll)],
            [
              t('mapping.csv'),
              draft.csv !== null
                ? t('review.csv', { file: draft.csvFileName ?? '', rows: draft.csvPreview?.totalRows ?? 0 })
                : '—',
            ],
          ]}
        />
      </Section>
      <Section title={t('steps.destinations')}>
        <ul className="review-list">
          <li>{t(DESTINATION_LABEL.archive)}</li>
          {draft.destinations.map((d, i) => (
            <li key={d.uid}>
              <strong>{t(DESTINATION_LABEL[d.kind])}</strong>{' '}
              <span className="muted">
                {d.kind === 'imap'
                  ? `${d.host}${d.port ? `:${d.port}` : ''}${d.folder ? ` · ${d.folder}` : ''}`
                  : d.kind === 'graph'
                    ? `${d.tenantId} · ${t(CLOUD_LABEL[d.cloud] ?? d.cloud)}`
                    : orDash(d.label)}
              </span>{' '}
              {secret(Boolean(d.secret), `destinations.${destinationIndex(i)}`)}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t('steps.schedule')}>
        <Facts
          items={[
            [t('schedule.interval'), `${draft.intervalSeconds} (${f.duration(Number(draft.intervalSeconds) * 1000)})`],
          ]}
        />
      </Section>
    </div>
  );
}
