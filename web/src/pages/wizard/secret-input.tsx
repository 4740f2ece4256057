/**
 * A write-only secret field: always empty when the form opens (secrets never come back from
 * the server); when editing, it says whether one is stored and that leaving it empty keeps it.
 */
import { useTranslation } from 'react-i18next';
import { Field, StatusBadge } from '../../components/index.js';

export interface SecretInputProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  /** editing an existing connector: whether a value is stored */
  stored?: boolean;
  hint?: string;
}

export function SecretInput({ label, value, onChange, testId, stored, hint }: SecretInputProps) {
  const { t } = useTranslation('wizard');
  const status =
    stored === undefined ? null : (
      <StatusBadge tone={stored ? 'ok' : 'warning'} testId={`${testId}-status`}>
        {stored ? t('secret.set') : t('secret.unset')}
      </StatusBadge>
    );
  return (
    <Field
      label={
        <>
          {label} {status}
        </>
      }
      hint={[hint, stored ? t('secret.keep') : null].filter(Boolean).join(' ')}
    >
      <input
        type="password"
        data-testid={testId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="new-password"
        spellCheck={false}
      />
    </Field>
  );
}
