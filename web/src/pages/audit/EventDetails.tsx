/**
 * An audit event's full record on demand: every detail field labelled, and its place in the
 * hash chain (event number, previous hash, hash) so that an auditor can check a link by hand.
 * A native <details> keeps the row short until it is opened, with no state to manage.
 */
import { useTranslation } from 'react-i18next';
import type { AuditListedEvent } from '../../../../src/server/contract.js';

export function EventDetails({ e, details }: { e: AuditListedEvent; details: [string, string][] }) {
  const { t } = useTranslation('audit');
  return (
    <details className="audit-more" data-testid={`audit-more-${e.id}`}>
      <summary>{t('more.toggle')}</summary>
      <dl className="audit-facts">
        {details.length === 0 ? <dd>{t('more.noDetail')}</dd> : null}
        {details.map(([k, v], i) => (
          <div key={i}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>{t('more.target')}</dt>
          <dd>{e.target || '—'}</dd>
        </div>
        <div>
          <dt>{t('more.code')}</dt>
          <dd>
            <code>{e.action}</code>
          </dd>
        </div>
      </dl>
      <dl className="audit-facts audit-chain" data-testid={`audit-chain-${e.id}`}>
        <div>
          <dt>{t('more.event')}</dt>
          <dd>{e.id}</dd>
        </div>
        <div>
          <dt>{t('more.prevHash')}</dt>
          <dd>
            <code>{e.prevHash}</code>
          </dd>
        </div>
        <div>
          <dt>{t('more.hash')}</dt>
          <dd>
            <code data-testid={`audit-hash-${e.id}`}>{e.hash}</code>
          </dd>
        </div>
      </dl>
    </details>
  );
}
