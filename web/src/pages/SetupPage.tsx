/**
 * First run: creates the first administrator with the one-time token `serve` printed in its
 * terminal. The server logs the new account in, so the app opens right after.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ErrorBanner, Field } from '../components/index.js';
import { useSession } from '../session.js';

/** The server's policy (NIST SP 800-63B: length, counted in characters); checked here to answer early. */
const MIN_PASSWORD = 12;

export function SetupPage() {
  const { t } = useTranslation('common');
  const { setup } = useSession();
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);

  const problems = {
    token: token.trim() ? null : t('setup.tokenRequired'),
    username: username.trim() ? null : t('setup.usernameRequired'),
    password: [...password].length >= MIN_PASSWORD ? null : t('setup.passwordTooShort', { min: MIN_PASSWORD }),
    confirm: confirm === password ? null : t('setup.passwordMismatch'),
  };
  const valid = Object.values(problems).every((p) => p === null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      await setup({
        token: token.trim(),
        username: username.trim(),
        displayName: displayName.trim() || username.trim(),
        password,
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate>
      <h1>{t('setup.title')}</h1>
      <p className="muted">{t('setup.intro')}</p>
      <ErrorBanner error={error} />
      <Field label={t('setup.token')} hint={t('setup.tokenHint')} error={tried ? problems.token : null}>
        <input
          data-testid="setup-token"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          autoFocus
        />
      </Field>
      <Field label={t('setup.username')} error={tried ? problems.username : null}>
        <input
          data-testid="setup-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
        />
      </Field>
      <Field label={t('setup.displayName')}>
        <input
          data-testid="setup-display-name"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          autoComplete="name"
        />
      </Field>
      <Field label={t('setup.password')} error={tried ? problems.password : null}>
        <input
          data-testid="setup-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
      </Field>
      <Field label={t('setup.confirm')} error={tried ? problems.confirm : null}>
        <input
          data-testid="setup-password-confirm"
          type="password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="new-password"
        />
      </Field>
      <Button type="submit" variant="primary" busy={busy} testId="setup-submit">
        {t('setup.submit')}
      </Button>
    </form>
  );
}
