/**
 * Changes one account: display name and roles together, or a new password on its own. The
 * server ends the user's sessions after a change of roles or password, so the form says so.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateUserRequest, UserSummary } from '../../../../src/server/contract.js';
import type { Role } from '../../../../src/security/roles.js';
import { patch } from '../../api.js';
import { Button, Field, Notice, Section } from '../../components/index.js';
import { PASSWORD_MIN_LENGTH } from './create-user-form.js';
import { RolePicker } from './role-picker.js';
import { UserError } from './user-error.js';

export interface EditUserPanelProps {
  user: UserSummary;
  onSaved: (user: UserSummary) => void;
  onClose: () => void;
}

export function EditUserPanel({ user, onSaved, onClose }: EditUserPanelProps) {
  const { t } = useTranslation('users');
  const [displayName, setDisplayName] = useState(user.displayName);
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<'profile' | 'password' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<'profile' | 'password' | null>(null);

  const rolesChanged = roles.join() !== user.roles.join();
  const nameChanged = displayName.trim() !== user.displayName;

  async function save(kind: 'profile' | 'password', body: UpdateUserRequest) {
    setBusy(kind);
    setError(null);
    setDone(null);
    try {
      const saved = await patch<UserSummary>(`/api/users/${user.id}`, body);
      setDone(kind);
      if (kind === 'password') setPassword('');
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  function saveProfile(e: FormEvent) {
    e.preventDefault();
    void save('profile', {
      ...(nameChanged ? { displayName: displayName.trim() } : {}),
      ...(rolesChanged ? { roles } : {}),
    });
  }

  function savePassword(e: FormEvent) {
    e.preventDefault();
    if (password) void save('password', { password });
  }

  return (
    <Section
      title={t('edit.title', { username: user.username })}
      actions={
        <Button variant="link" onClick={onClose} testId="user-edit-close">
          {t('edit.close')}
        </Button>
      }
    >
      <div className="user-edit" data-testid="user-edit-panel" data-username={user.username}>
        <form className="user-form" onSubmit={saveProfile}>
          <Field label={t('fields.displayName')}>
            <input
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              data-testid="user-edit-display-name"
            />
          </Field>
          <RolePicker value={roles} onChange={setRoles} testIdPrefix="user-edit-role-" />
          <p className="field-hint">{t('edit.sessionsNote')}</p>
          <Button
            type="submit"
            variant="primary"
            busy={busy === 'profile'}
            disabled={(!rolesChanged && !nameChanged) || roles.length === 0 || displayName.trim() === ''}
            testId="user-edit-save"
          >
            {t('edit.save')}
          </Button>
        </form>
        <form className="user-form" onSubmit={savePassword}>
          <Field label={t('edit.newPassword')} hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              data-testid="user-edit-password"
            />
          </Field>
          <Button type="submit" busy={busy === 'password'} disabled={!password} testId="user-edit-password-submit">
            {t('edit.resetPassword')}
          </Button>
        </form>
        <UserError error={error} testId="user-edit-error" />
        {done ? (
          <Notice tone="ok" testId="user-edit-saved">
            {done === 'password' ? t('edit.passwordSaved') : t('edit.saved')}
          </Notice>
        ) : null}
      </div>
    </Section>
  );
}
