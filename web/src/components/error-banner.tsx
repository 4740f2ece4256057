/**
 * Shows a failed request to the user in their language: the WXA_ code's translation when the
 * catalogue has one (common:errors.<code>), else the server's English message, plus any field
 * problems the server listed.
 */
import i18next, { type TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api.js';
import { Button } from './ui.js';

/** The one-line translated description of any error thrown by api.ts or fetch. */
export function describeError(error: unknown, t: TFunction): string {
  if (error instanceof ApiFailure) {
    const { code, message } = error.body;
    if (hasTranslation(error)) return t(`common:errors.${code}`);
    if (error.status === 403) return t('common:errors.forbidden');
    return message || t('common:errors.unknown');
  }
  // fetch rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return t('common:errors.network');
  if (error instanceof Error && error.message) return error.message;
  return t('common:errors.unknown');
}

/** Whether the catalogue translates this failure's code (then the server's English detail is extra). */
function hasTranslation(error: ApiFailure): boolean {
  return Boolean(error.body.code) && i18next.exists(`common:errors.${error.body.code}`);
}

/** The field problems of a validation error, if any. */
export function fieldErrors(error: unknown): { path: string; message: string }[] {
  return error instanceof ApiFailure ? (error.body.fields ?? []) : [];
}

export interface ErrorBannerProps {
  error: unknown;
  onRetry?: () => void;
  /** shown before the message, e.g. what was being done */
  context?: ReactNode;
  testId?: string;
}

/** Nothing when `error` is null or undefined. */
export function ErrorBanner({ error, onRetry, context, testId = 'error-banner' }: ErrorBannerProps) {
  const { t } = useTranslation('common');
  if (error === null || error === undefined) return null;
  const fields = fieldErrors(error);
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      <p>
        {context ? <strong>{context} </strong> : null}
        <span data-testid="error-message">{describeError(error, t)}</span>
      </p>
      {error instanceof ApiFailure && hasTranslation(error) && error.body.message ? (
        <p className="error-detail" lang="en">
          {error.body.message}
        </p>
      ) : null}
      {fields.length > 0 ? (
        <ul className="field-errors" data-testid="field-errors">
          {fields.map((f, i) => (
            <li key={i}>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <Button onClick={onRetry} testId="retry">
          {t('actions.retry')}
        </Button>
      ) : null}
    </div>
  );
}

/** A neutral or warning notice (not an error). */
export function Notice({
  tone = 'info',
  children,
  testId,
}: {
  tone?: 'info' | 'warning' | 'ok';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className={`banner banner-${tone}`} data-testid={testId}>
      {children}
    </div>
  );
}
