/**
 * Who is using the console. On load it asks whether first-run setup is still needed, then for
 * the current session; it keeps the CSRF token for api.ts and drops the session whenever any
 * request answers 401, which sends the user to the login page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type {
  LoginRequest,
  Permission,
  SessionInfo,
  SessionUser,
  SetupRequest,
  SetupStatus,
} from '../../src/server/contract.js';
import { ApiFailure, del, get, onUnauthorized, post, setCsrfToken } from './api.js';

/**
 * - loading: asking the server
 * - unreachable: the server did not answer (error holds why)
 * - setup: no administrator exists yet
 * - anonymous: not logged in
 * - authenticated: `user` is set
 */
export type SessionStatus = 'loading' | 'unreachable' | 'setup' | 'anonymous' | 'authenticated';

export interface SessionContextValue {
  status: SessionStatus;
  user: SessionUser | null;
  error: unknown;
  can(permission: Permission): boolean;
  login(request: LoginRequest): Promise<void>;
  logout(): Promise<void>;
  setup(request: SetupRequest): Promise<void>;
  reload(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [user, setUser] = useState<SessionUser | null>(null);
  const [error, setError] = useState<unknown>(null);

  const accept = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setUser(info.user);
    setError(null);
    setStatus('authenticated');
  }, []);

  const drop = useCallback(() => {
    setCsrfToken('');
    setUser(null);
    setStatus('anonymous');
  }, []);

  const load = useCallback(async () => {
    setStatus('loading');
    try {
      const setup = await get<SetupStatus>('/api/setup');
      if (setup.needed) {
        setStatus('setup');
        return;
      }
      accept(await get<SessionInfo>('/api/session'));
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) {
        drop();
        return;
      }
      setError(e);
      setStatus('unreachable');
    }
  }, [accept, drop]);

  useEffect(() => {
    void load();
  }, [load]);

  // Only an expired or revoked session ends here; a failed login (also 401) is already anonymous.
  useEffect(() => onUnauthorized(drop), [drop]);

  const value = useMemo<SessionContextValue>(
    () => ({
      status,
      user,
      error,
      can: (permission) => user?.permissions.includes(permission) ?? false,
      login: async (request) => accept(await post<SessionInfo>('/api/session', request)),
      setup: async (request) => accept(await post<SessionInfo>('/api/setup', request)),
      logout: async () => {
        try {
          await del<void>('/api/session');
        } finally {
          drop();
        }
      },
      reload: () => void load(),
    }),
    [status, user, error, accept, drop, load],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
