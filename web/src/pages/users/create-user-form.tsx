/**
 * The form that creates a console account: username, display name, first password and roles.
 * The server checks everything again (username pattern, password strength, taken names); the
 * form only keeps the button off until the required fields are there.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreateUserRequest, UserSummary } from '../../../../src/server/contract.js';
import type { Role } from '../../../../src/security/roles.js';
import { post } from '../../api.js';
import { Button, Field } from '../../components/index.js';
import { RolePicker } from './role-picker.js';
import { UserError } from './user-error.js';

/** The server's minimum (src/security/passwords.ts), shown before the request instead of after it. */
export const PASSWORD_MIN_LENGTH = 12;

const EMPTY: CreateUserRequest = { username: '', displayName: '', password: '', roles: [] };

export function CreateUserForm({ onCreated }: { onCreated: (user: UserSummary) => void }) {
  const { t } = useTranslation('users');
  const [form, setForm] = useState<CreateUserRequest>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const complete =
    form.username.trim() !== '' && form.displayName.trim() !== '' && form.password !== '' && form.roles.length > 0;
  const short = form.password !== '' && [...form.password].length < PASSWORD_MIN_LENGTH;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!complete) return;
    setBusy(true);
    setError(null);
    try {
      const user = await post<UserSummary>('/api/users', {
        ...form,
        username: form.username.trim(),
        displayName: form.displayName.trim(),
      });
      setForm(EMPTY);
      onCreated(user);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="user-form" onSubmit={(e) => void submit(e)} data-testid="user-create-form">
      <Field label={t('fields.username')} hint={t('fields.usernameHint')}>
        <input
          value={form.username}
          onChange={(e) => setForm({ ...form, username: e.target.value })}
          autoComplete="off"
          spellCheck={false}
          required
          data-testid="user-create-username"
        />
      </Field>
      <Field label={t('fields.displayName')}>
        <input
          value={form.displayName}
          onChange={(e) => setForm({ ...form, displayName: e.target.value })}
          autoComplete="off"
          required
          data-testid="user-create-display-name"
        />
      </Field>
      <Field
        label={t('fields.password')}
        hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
        error={short ? t('fields.passwordShort', { min: PASSWORD_MIN_LENGTH }) : undefined}
      >
        <input
          type="password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          autoComplete="new-password"
          required
          data-testid="user-create-password"
        />
      </Field>
      <RolePicker
        value={form.roles}
        onChange={(roles: Role[]) => setForm({ ...form, roles })}
        testIdPrefix="user-create-role-"
      />
      {form.roles.length === 0 ? <p className="field-hint">{t('fields.rolesRequired')}</p> : null}
      <UserError error={error} testId="user-create-error" />
      <Button type="submit" variant="primary" busy={busy} disabled={!complete} testId="user-create-submit">
        {busy ? t('create.creating') : t('create.submit')}
      </Button>
    </form>
  );
}
