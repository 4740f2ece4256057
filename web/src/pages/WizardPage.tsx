/**
 * The connector wizard, for a new connector (/connectors/new) and for changing a console-defined
 * one (/connectors/:id/edit): terms, source, mapping, destinations, schedule, review. Each step
 * says what keeps it from going on; Finish sends everything at once (secrets only if typed) and
 * shows the server's field errors if it refuses.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import type { ConnectorDetail, TermsInfo } from '../../../src/server/contract.js';
import { get, post, put } from '../api.js';
import { Button, ErrorBanner, Loading, Notice, Page } from '../components/index.js';
import { DestinationsStep } from './wizard/destinations-step.js';
import {
  draftFromDetail,
  emptyDraft,
  STEPS,
  toRequest,
  type StepProps,
  type WizardDraft,
  type WizardMode,
} from './wizard/draft.js';
import { STEP_INTRO, STEP_LABEL } from './wizard/labels.js';
import { MappingStep } from './wizard/mapping-step.js';
import { ReviewStep } from './wizard/review-step.js';
import { ScheduleStep } from './wizard/schedule-step.js';
import { SourceStep } from './wizard/source-step.js';
import { TermsStep } from './wizard/terms-step.js';
import { stepIssues } from './wizard/validate.js';

const CREATE_MODE: WizardMode = { editing: false, secrets: {} };

export function WizardPage() {
  const { id } = useParams();
  const editing = id !== undefined;
  const { t } = useTranslation('wizard');
  const navigate = useNavigate();
  const [termsVersion, setTermsVersion] = useState<string | null>(null);
  const [detail, setDetail] = useState<ConnectorDetail | null>(null);
  const [draft, setDraft] = useState<WizardDraft | null>(editing ? null : emptyDraft);
  const [stepIndex, setStepIndex] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [finishError, setFinishError] = useState<unknown>(null);
  const [finishing, setFinishing] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [terms, existing] = await Promise.all([
        get<TermsInfo>('/api/terms'),
        id === undefined ? Promise.resolve(null) : get<ConnectorDetail>(`/api/connectors/${encodeURIComponent(id)}`),
      ]);
      setTermsVersion(terms.version);
      if (existing) {
        setDetail(existing);
        setDraft(draftFromDetail(existing));
      }
    } catch (e) {
      setLoadError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const update = useCallback((change: (d: WizardDraft) => WizardDraft) => {
    setDraft((d) => (d ? change(d) : d));
  }, []);

  const title = editing ? t('titleEdit', { name: detail?.name ?? id }) : t('titleNew');

  if (loadError || termsVersion === null || draft === null) {
    return (
      <Page title={title} testId="wizard">
        <ErrorBanner error={loadError} onRetry={() => void load()} />
        {loadError ? null : <Loading />}
      </Page>
    );
  }

  if (detail && detail.origin !== 'console') {
    return (
      <Page title={title} testId="wizard">
        <Notice tone="warning" testId="connector-readonly-note">
          {t(detail.origin === 'demo' ? 'readOnlyDemo' : 'readOnly')}
        </Notice>
      </Page>
    );
  }

  const mode: WizardMode = detail ? { editing: true, secrets: detail.secrets } : CREATE_MODE;
  const step = STEPS[stepIndex] ?? 'terms';
  const issues = stepIssues(step, draft, mode);
  const isLast = stepIndex === STEPS.length - 1;
  const props: StepProps = { draft, update, mode, ...(id ? { connectorId: id } : {}) };

  async function finish(current: WizardDraft, version: string) {
    setFinishing(true);
    setFinishError(null);
    try {
      const request = toRequest(current, version);
      const saved =
        id === undefined
          ? await post<ConnectorDetail>('/api/connectors', request)
          : await put<ConnectorDetail>(`/api/connectors/${encodeURIComponent(id)}`, request);
      navigate(`/connectors/${encodeURIComponent(saved?.id ?? current.id)}`);
    } catch (e) {
      setFinishError(e);
      setFinishing(false);
    }
  }

  return (
    <Page title={title} testId="wizard">
      <ol className="steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            data-testid={`wizard-step-${s}`}
            className={i === stepIndex ? 'step-current' : i < stepIndex ? 'step-done' : undefined}
            aria-current={i === stepIndex ? 'step' : undefined}
          >
            {i < stepIndex ? (
              <button type="button" className="step-link" onClick={() => setStepIndex(i)}>
                {i + 1}. {t(STEP_LABEL[s])}
              </button>
            ) : (
              <span>
                {i + 1}. {t(STEP_LABEL[s])}
              </span>
            )}
          </li>
        ))}
      </ol>

      <div className="card wizard-body">
        <h2>{t(STEP_LABEL[step])}</h2>
        <p className="muted">{t(STEP_INTRO[step])}</p>
        {step === 'terms' ? <TermsStep {...props} termsVersion={termsVersion} /> : null}
        {step === 'source' ? <SourceStep {...props} /> : null}
        {step === 'mapping' ? <MappingStep {...props} /> : null}
        {step === 'destinations' ? <DestinationsStep {...props} /> : null}
        {step === 'schedule' ? <ScheduleStep {...props} /> : null}
        {step === 'review' ? <ReviewStep {...props} termsVersion={termsVersion} /> : null}

        {issues.length > 0 ? (
          <div className="issues" data-testid="wizard-issues">
            <p>{t('issues.title')}</p>
            <ul>
              {issues.map((key) => (
                <li key={key}>{t(key)}</li>
              ))}
            </ul>
          </div>
        ) : null}

        {finishError ? (
          <div data-testid="wizard-field-errors">
            <ErrorBanner error={finishError} context={t('finishFailed')} />
          </div>
        ) : null}

        <footer className="wizard-footer">
          <Button
            testId="wizard-back"
            disabled={stepIndex === 0 || finishing}
            onClick={() => setStepIndex(stepIndex - 1)}
          >
            {t('back')}
          </Button>
          {isLast ? (
            <Button
              variant="primary"
              testId="wizard-finish"
              busy={finishing}
              disabled={issues.length > 0}
              onClick={() => void finish(draft, termsVersion)}
            >
              {editing ? t('save') : t('finish')}
            </Button>
          ) : (
            <Button
              variant="primary"
              testId="wizard-next"
              disabled={issues.length > 0}
              onClick={() => setStepIndex(stepIndex + 1)}
            >
              {t('next')}
            </Button>
          )}
        </footer>
      </div>
    </Page>
  );
}
