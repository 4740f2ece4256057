/**
 * Step 1: the terms and data-processing notice. The text lives in the wizard catalogue in both
 * languages (terms.textVersion says which version it is); the version the server asks for is
 * the one recorded as accepted, and a mismatch is pointed out rather than hidden.
 */
import { useTranslation } from 'react-i18next';
import { Notice } from '../../components/index.js';
import { tk } from '../../i18n-keys.js';
import type { StepProps } from './draft.js';

const SECTIONS = [
  [tk('wizard:terms.captured.title'), tk('wizard:terms.captured.body')],
  [tk('wizard:terms.inform.title'), tk('wizard:terms.inform.body')],
  [tk('wizard:terms.external.title'), tk('wizard:terms.external.body')],
  [tk('wizard:terms.storage.title'), tk('wizard:terms.storage.body')],
  [tk('wizard:terms.retention.title'), tk('wizard:terms.retention.body')],
  [tk('wizard:terms.access.title'), tk('wizard:terms.access.body')],
] as const;

export function TermsStep({ draft, update, termsVersion }: StepProps & { termsVersion: string }) {
  const { t } = useTranslation('wizard');
  const textVersion = t('terms.textVersion');
  return (
    <div className="step">
      <p className="muted">
        {t('terms.version')} <strong data-testid="terms-version">{termsVersion}</strong>
      </p>
      {textVersion !== termsVersion ? (
        <Notice tone="warning" testId="terms-version-mismatch">
          {t('terms.versionMismatch', { shown: textVersion, required: termsVersion })}
        </Notice>
      ) : null}
      <article className="terms" data-testid="terms-text">
        <h3>{t('terms.title')}</h3>
        <p>{t('terms.intro')}</p>
        {SECTIONS.map(([title, body]) => (
          <section key={title}>
            <h4>{t(title)}</h4>
            <p>{t(body)}</p>
          </section>
        ))}
      </article>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="terms-accept"
          checked={draft.termsAccepted}
          onChange={(e) => {
            const termsAccepted = e.target.checked;
            update((d) => ({ ...d, termsAccepted }));
          }}
        />
        <span>{t('terms.accept')}</span>
      </label>
    </div>
  );
}
