/**
 * /users (Organization admin): the console's accounts with their roles and state, a form to
 * create one, and per account: edit roles and name, reset the password, disable or enable, and
 * lift a lockout left by repeated failed logins.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../src/server/contract.js';
import { get, patch } from '../api.js';
import {
  Button,
  ErrorBanner,
  Loading,
  Notice,
  Page,
  Section,
  StatusBadge,
  Table,
  useFormat,
  type Column,
} from '../components/index.js';
import { useSession } from '../session.js';
import { useLoad } from './mailboxes/use-request.js';
import { CreateUserForm } from './users/create-user-form.js';
import { EditUserPanel } from './users/edit-user-panel.js';
import { isLocked, ROLE_TEXT, sortRoles } from './users/roles.js';
import { UserError } from './users/user-error.js';
import './users/users.css';

export function UsersPage() {
  const { t } = useTranslation('users');
  const fmt = useFormat();
  const { user: me } = useSession();
  const users = useLoad(() => get<{ users: UserSummary[] }>('/api/users'), []);
  // Local edits are laid over the loaded list so a change shows at once, without a refetch.
  const [changed, setChanged] = useState<Record<number, UserSummary>>({});
  const [created, setCreated] = useState<UserSummary[]>([]);
  const [editing, setEditing] = useState<number | null>(null);
  const [rowBusy, setRowBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [justCreated, setJustCreated] = useState<string | null>(null);
  const now = Date.now();

  const loaded = users.data?.users ?? [];
  const list = [...loaded, ...created.filter((c) => !loaded.some((u) => u.id === c.id))]
    .map((u) => changed[u.id] ?? u)
    .sort((a, b) => a.username.localeCompare(b.username));
  const editingUser = list.find((u) => u.id === editing);

  const remember = (u: UserSummary) => setChanged((c) => ({ ...c, [u.id]: u }));

  async function quick(u: UserSummary, action: 'disable' | 'enable' | 'unlock') {
    setRowBusy(`${action}-${u.id}`);
    setRowError(null);
    try {
      const body = action === 'unlock' ? { unlock: true } : { disabled: action === 'disable' };
      remember(await patch<UserSummary>(`/api/users/${u.id}`, body));
    } catch (err) {
      setRowError(err);
    } finally {
      setRowBusy(null);
    }
  }

  const columns: Column<UserSummary>[] = [
    {
      key: 'username',
      header: t('list.username'),
      render: (u) => (
        <>
          <code>{u.username}</code>
          {me?.id === u.id ? <span className="muted"> {t('list.you')}</span> : null}
        </>
      ),
    },
    { key: 'name', header: t('list.displayName'), render: (u) => u.displayName },
    {
      key: 'roles',
      header: t('list.roles'),
      render: (u) => (
        <span data-testid={`user-roles-${u.username}`} data-roles={sortRoles(u.roles).join(' ')}>
          {sortRoles(u.roles)
            .map((r) => t(ROLE_TEXT[r].name))
            .join(t('list.roleSeparator'))}
        </span>
      ),
    },
    {
      key: 'state',
      header: t('list.state'),
      render: (u) => {
        const locked = isLocked(u.lockedUntil, now);
        return (
          <span
            data-testid={`user-state-${u.username}`}
            data-disabled={String(u.disabled)}
            data-locked={String(locked)}
          >
            {u.disabled ? (
              <StatusBadge tone="neutral">{t('state.disabled')}</StatusBadge>
            ) : (
              <StatusBadge tone="ok">{t('state.active')}</StatusBadge>
            )}{' '}
            {locked ? (
              <StatusBadge tone="alarm" title={fmt.dateTime(u.lockedUntil)}>
                {t('state.lockedUntil', { time: fmt.dateTime(u.lockedUntil) })}
              </StatusBadge>
            ) : null}
          </span>
        );
      },
    },
    { key: 'lastLogin', header: t('list.lastLogin'), render: (u) => fmt.dateTime(u.lastLoginAt) },
    { key: 'created', header: t('list.created'), render: (u) => fmt.date(u.createdAt) },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('list.actions')}</span>,
      render: (u) => (
        <span className="user-row-actions">
          <Button variant="link" onClick={() => setEditing(u.id)} testId={`user-edit-${u.username}`}>
            {t('actions.edit')}
          </Button>
          {u.disabled ? (
            <Button
              busy={rowBusy === `enable-${u.id}`}
              onClick={() => void quick(u, 'enable')}
              testId={`user-enable-${u.username}`}
            >
              {t('actions.enable')}
            </Button>
          ) : me?.id === u.id ? null : (
            <Button
              variant="danger"
              busy={rowBusy === `disable-${u.id}`}
              onClick={() => void quick(u, 'disable')}
              testId={`user-disable-${u.username}`}
            >
              {t('actions.disable')}
            </Button>
          )}
          {isLocked(u.lockedUntil, now) ? (
            <Button
              busy={rowBusy === `unlock-${u.id}`}
              onClick={() => void quick(u, 'unlock')}
              testId={`user-unlock-${u.username}`}
            >
              {t('actions.unlock')}
            </Button>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <Page title={t('title')} subtitle={t('intro')} testId="users-page">
      <ErrorBanner error={users.error} onRetry={users.reload} context={t('loadFailed')} testId="users-error" />
      {users.loading && !users.data ? <Loading label={t('loading')} /> : null}
      {users.data ? (
        <Section title={t('list.title')}>
          <UserError error={rowError} testId="user-action-error" />
          <Table
            testId="users-table"
            columns={columns}
            rows={list}
            rowKey={(u) => u.id}
            rowTestId={(u) => `user-row-${u.username}`}
            empty={<span data-testid="users-empty">{t('list.empty')}</span>}
          />
        </Section>
      ) : null}
      {editingUser ? (
        <EditUserPanel key={editingUser.id} user={editingUser} onSaved={remember} onClose={() => setEditing(null)} />
      ) : null}
      <Section title={t('create.title')}>
        {justCreated ? (
          <Notice tone="ok" testId="user-created">
            {t('create.created', { username: justCreated })}
          </Notice>
        ) : null}
        <CreateUserForm
          onCreated={(u) => {
            setCreated((c) => [...c, u]);
            setJustCreated(u.username);
          }}
        />
      </Section>
    </Page>
  );
}
