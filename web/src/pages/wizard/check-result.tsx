/**
 * The answer of a connection test: one line per check (library loads, secret accepted, key
 * decrypts, folder writable ...) with its outcome, as the server reports it.
 */
import { useTranslation } from 'react-i18next';
import type { CheckResult } from '../../../../src/server/contract.js';
import { StatusBadge } from '../../components/index.js';

export function CheckResultView({ result, testId = 'check-result' }: { result: CheckResult; testId?: string }) {
  const { t } = useTranslation('wizard');
  return (
    <div className={result.ok ? 'check check-ok' : 'check check-fail'} data-testid={testId} data-ok={result.ok}>
      <p>
        <StatusBadge tone={result.ok ? 'ok' : 'alarm'}>{result.ok ? t('check.allOk') : t('check.failed')}</StatusBadge>
      </p>
      <ul>
        {result.lines.map((line, i) => (
          <li key={i} data-testid="check-line" data-ok={line.ok}>
            <StatusBadge tone={line.ok ? 'ok' : 'alarm'}>{line.ok ? t('check.ok') : t('check.fail')}</StatusBadge>{' '}
            <strong>{line.name}</strong>
            {line.detail ? <span className="check-detail"> — {line.detail}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
