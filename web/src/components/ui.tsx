/**
 * The small building blocks every console page uses (page frame, buttons, fields, badges,
 * loading and empty states), kept plain and stable because pages written in parallel rely on
 * their props. Styling lives in styles.css under the class names used here.
 */
import { useEffect, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface PageProps {
  title: ReactNode;
  /** buttons shown at the right of the title */
  actions?: ReactNode;
  /** a line under the title */
  subtitle?: ReactNode;
  testId?: string;
  children?: ReactNode;
}

/** A page's frame: title (also the window title when it is text), actions, content. */
export function Page({ title, actions, subtitle, testId, children }: PageProps) {
  const { t } = useTranslation('common');
  const product = t('product');
  useEffect(() => {
    document.title = typeof title === 'string' ? `${title} · ${product}` : product;
  }, [title, product]);
  return (
    <section className="page" data-testid={testId}>
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** A titled block inside a page. */
export function Section({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children?: ReactNode }) {
  return (
    <section className="section">
      <header className="section-header">
        <h2>{title}</h2>
        {actions ? <div className="section-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  /** disables the button and marks it busy while an action runs */
  busy?: boolean;
  testId?: string;
}

/** A button that is never a form submit unless asked (`type="submit"`). */
export function Button({
  variant = 'secondary',
  busy = false,
  testId,
  className,
  disabled,
  type,
  ...rest
}: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      className={['btn', `btn-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      data-testid={testId}
    />
  );
}

export interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  /** a validation message shown under the input */
  error?: ReactNode;
  children: ReactNode;
  testId?: string;
}

/** A labelled input; the label wraps the control so clicking it focuses the input. */
export function Field({ label, hint, error, children, testId }: FieldProps) {
  return (
    <label className={error ? 'field field-invalid' : 'field'} data-testid={testId}>
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
      {error ? <span className="field-error">{error}</span> : null}
    </label>
  );
}

export type Tone = 'ok' | 'warning' | 'alarm' | 'info' | 'neutral';

/** A coloured label for a state; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({
  tone,
  children,
  title,
  testId,
}: {
  tone: Tone;
  children: ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

export function Loading({ label }: { label?: ReactNode }) {
  const { t } = useTranslation('common');
  return (
    <p className="loading" role="status" data-testid="loading">
      {label ?? t('loading')}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="empty" data-testid="empty">
      {children}
    </p>
  );
}

/** Definition list for summaries: [label, value] pairs. */
export function Facts({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value], i) => (
        <div key={i} className="fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
