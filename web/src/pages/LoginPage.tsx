/**
 * Sign-in. A wrong password and a locked account get their own translated message; the server
 * never says which of user name or password was wrong.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api.js';
import { Button, ErrorBanner, Field } from '../components/index.js';
import { useSession } from '../session.js';

export function LoginPage() {
  const { t } = useTranslation('common');
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setBusy(true);
    setError(null);
    try {
      await login({ username: username.trim(), password });
    } catch (err) {
      setError(err);
      setPassword('');
      setBusy(false);
    }
  }

  const code = error instanceof ApiFailure ? error.body.code : null;
  // The server answers a locked, disabled or unknown account like a wrong password (so the
  // page cannot reveal which user names exist); one message covers them all.
  const known = code === 'WXA_LOGIN_FAILED';

  return (
    <form className="card auth-card" onSubmit={(e) => void submit(e)}>
      <h1>{t('login.title')}</h1>
      {known ? (
        <div className="banner banner-error" role="alert" data-testid="login-error" data-code={code}>
          {t('login.failed')}
        </div>
      ) : (
        <ErrorBanner error={error} testId="login-error" />
      )}
      <Field label={t('login.username')}>
        <input
          data-testid="login-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoFocus
          required
        />
      </Field>
      <Field label={t('login.password')}>
        <input
          data-testid="login-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
        />
      </Field>
      <Button type="submit" variant="primary" busy={busy} testId="login-submit">
        {t('login.submit')}
      </Button>
    </form>
  );
}
