/**
 * The frame around every page: the header with the product name, the navigation the user's
 * permissions allow, the live-events indicator, the language switch and the user's name with
 * sign-out. Setup and login get the bare frame (product and language only).
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import type { Permission } from '../../src/server/contract.js';
import { Button } from './components/index.js';
import { LANGUAGES, setLanguage, toSupportedLanguage, type Language } from './i18n.js';
import { tk } from './i18n-keys.js';
import { useLiveStatus } from './live.js';
import { useSession } from './session.js';

interface NavItem {
  page: string;
  path: string;
  permission: Permission;
  label: string;
}

/** The navigation in order; the first one the user may see is their home page. */
export const NAV: NavItem[] = [
  { page: 'connectors', path: '/connectors', permission: 'connectors:read', label: tk('common:nav.connectors') },
  { page: 'problems', path: '/problems', permission: 'problems:read', label: tk('common:nav.problems') },
  { page: 'search', path: '/search', permission: 'search', label: tk('common:nav.search') },
  { page: 'cases', path: '/cases', permission: 'cases:read', label: tk('common:nav.cases') },
  { page: 'review', path: '/review', permission: 'review', label: tk('common:nav.review') },
  {
    page: 'supervision',
    path: '/supervision',
    permission: 'supervision:review',
    label: tk('common:nav.supervision'),
  },
  { page: 'mailboxes', path: '/mailboxes', permission: 'mailboxes:read', label: tk('common:nav.mailboxes') },
  { page: 'audit', path: '/audit', permission: 'audit:read', label: tk('common:nav.audit') },
  { page: 'integrity', path: '/integrity', permission: 'integrity:read', label: tk('common:nav.integrity') },
  { page: 'retention', path: '/retention', permission: 'retention:read', label: tk('common:nav.retention') },
  {
    page: 'disposition',
    path: '/disposition',
    permission: 'retention:review',
    label: tk('common:nav.disposition'),
  },
  { page: 'users', path: '/users', permission: 'users:write', label: tk('common:nav.users') },
];

const LANGUAGE_LABEL: Record<Language, string> = {
  en: tk('common:language.en'),
  'zh-CN': tk('common:language.zh-CN'),
};

function LanguageSwitch() {
  const { t, i18n } = useTranslation('common');
  const current = toSupportedLanguage(i18n.resolvedLanguage ?? i18n.language);
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t('language.label')}</span>
      <select
        data-testid="lang-switch"
        value={current}
        onChange={(e) => setLanguage(e.target.value as Language)}
        aria-label={t('language.label')}
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng}>
            {t(LANGUAGE_LABEL[lng])}
          </option>
        ))}
      </select>
    </label>
  );
}

function LiveIndicator() {
  const status = useLiveStatus();
  const { t } = useTranslation('common');
  if (status === 'idle') return null;
  return (
    <span className={`live live-${status}`} data-testid="live-status" data-status={status}>
      {status === 'open' ? t('live.open') : t('live.connecting')}
    </span>
  );
}

/** Product name and language only: for setup, login and while loading. */
export function Bare({ children }: { children: ReactNode }) {
  const { t } = useTranslation('common');
  return (
    <div className="bare">
      <header className="app-header" data-testid="app-header">
        <span className="brand">{t('product')}</span>
        <div className="header-right">
          <LanguageSwitch />
        </div>
      </header>
      <main className="bare-main">{children}</main>
    </div>
  );
}

export function Layout() {
  const { t } = useTranslation('common');
  const { user, can, logout } = useSession();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <header className="app-header" data-testid="app-header">
        <NavLink to="/" className="brand">
          {t('product')}
        </NavLink>
        <nav className="nav" aria-label={t('nav.label')}>
          {NAV.filter((n) => can(n.permission)).map((n) => (
            <NavLink key={n.page} to={n.path} data-testid={`nav-${n.page}`}>
              {t(n.label)}
            </NavLink>
          ))}
        </nav>
        <div className="header-right">
          <LiveIndicator />
          <LanguageSwitch />
          <span className="user" data-testid="user-name" title={user?.username}>
            {user?.displayName || user?.username}
          </span>
          <Button
            variant="link"
            testId="logout"
            onClick={() => {
              // Leave the page first, so that the next user who signs in is not sent back to it.
              navigate('/', { replace: true });
              void logout();
            }}
          >
            {t('actions.logout')}
          </Button>
        </div>
      </header>
      <main className="main">
        <Outlet />
      </main>
    </div>
  );
}
