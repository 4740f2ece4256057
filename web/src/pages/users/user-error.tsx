/**
 * Errors of the account forms: the codes an administrator meets here get their own translated
 * text (with what to do); any other error falls back to the console's common description, which
 * is the server's message when the code is unknown.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../../api.js';
import { describeError, fieldErrors } from '../../components/index.js';
import { tk } from '../../i18n-keys.js';

const KNOWN: Record<string, string> = {
  WXA_PASSWORD_WEAK: tk('users:errors.WXA_PASSWORD_WEAK'),
  WXA_USER_EXISTS: tk('users:errors.WXA_USER_EXISTS'),
  WXA_SELF_LOCKOUT: tk('users:errors.WXA_SELF_LOCKOUT'),
};

export function describeUserError(error: unknown, t: TFunction): string {
  if (error instanceof ApiFailure) {
    const key = Object.hasOwn(KNOWN, error.body.code) ? KNOWN[error.body.code] : undefined;
    if (key) return t(key);
  }
  return describeError(error, t);
}

/** Nothing when there is no error. */
export function UserError({ error, testId }: { error: unknown; testId: string }) {
  const { t } = useTranslation('users');
  if (error === null || error === undefined) return null;
  const fields = fieldErrors(error);
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      <p data-testid={`${testId}-message`}>{describeUserError(error, t)}</p>
      {fields.length > 0 ? (
        <ul className="field-errors">
          {fields.map((f, i) => (
            <li key={i}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
