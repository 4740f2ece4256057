/**
 * Closing and reopening a case. Closing asks for confirmation and a reason, and is refused by
 * the server while a legal hold of the case is active (as in Purview: release the holds first);
 * that refusal is shown here with the holds it names. A closed case is read-only until reopened.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field, Section } from '../../components/index.js';
import { casesApi, type CaseDetail } from './types.js';
import { useAction } from './use-action.js';

export function StatusSection(props: { detail: CaseDetail; canWrite: boolean; reload: () => Promise<void> }) {
  const { t } = useTranslation('cases');
  const { busy, error, act } = useAction(props.reload);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const closed = props.detail.status === 'closed';
  const activeHolds = props.detail.holds.filter((h) => h.status === 'active').length;
  const change = (what: 'close' | 'reopen') =>
    act(() => post(`${casesApi(props.detail.id)}/${what}`, reason.trim() ? { reason: reason.trim() } : {})).then(
      (ok) => {
        if (ok) {
          setConfirming(false);
          setReason('');
        }
      },
    );
  if (!props.canWrite && !closed) return null;
  return (
    <Section title={t('caseStatus.title')}>
      <div data-testid="case-status-section">
        <ErrorBanner error={error} />
        {closed ? (
          <>
            <p data-testid="case-closed-note">{t('caseStatus.closedNote')}</p>
            {props.canWrite ? (
              <Button busy={busy} testId="case-reopen" onClick={() => void change('reopen')}>
                {t('caseStatus.reopen')}
              </Button>
            ) : null}
          </>
        ) : confirming ? (
          <div className="case-form">
            <p>{activeHolds > 0 ? t('caseStatus.holdsFirst', { count: activeHolds }) : t('caseStatus.confirm')}</p>
            <Field label={t('caseStatus.reason')}>
              <input data-testid="case-close-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
            </Field>
            <Button variant="danger" busy={busy} testId="case-close-confirm" onClick={() => void change('close')}>
              {t('caseStatus.closeYes')}
            </Button>{' '}
            <Button onClick={() => setConfirming(false)}>{t('cancel')}</Button>
          </div>
        ) : (
          <Button testId="case-close" onClick={() => setConfirming(true)}>
            {t('caseStatus.close')}
          </Button>
        )}
      </div>
    </Section>
  );
}
