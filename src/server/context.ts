/**
 * What every route module receives: the store, the audit log, the connector supervisor and the
 * clock. Route modules are functions `(app, ctx) => void` that register routes declaring the
 * permission they need in `config.permission` (or `'public'` / `'session'`); the auth hook in
 * app.ts enforces it, so no handler checks roles itself.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '../compliance/audit/actions.js';
import type { Config } from '../config/index.js';
import type { MappingParser } from '../mapping/parse-pool.js';
import type { Supervisor } from '../pipeline/supervisor.js';
import type { SecretBox } from '../security/index.js';
import type { Store } from '../store/index.js';
import type { Permission, SessionUser } from './contract.js';

/** 'public': anyone; 'session': any logged-in user; otherwise the permission required. */
export type RouteAccess = 'public' | 'session' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** the logged-in user, set by the auth hook for every route but public ones */
    user?: SessionUser;
    /** the CSRF token of that user's session, set with `user` */
    csrfToken?: string;
  }
}

export interface AuditInput {
  /** one of the registry in compliance/audit/actions.ts, so that the console can name it */
  action: AuditAction;
  target: string;
  detail?: Record<string, unknown>;
}

export interface ServerContext {
  store: Store;
  config: Config;
  now: () => number;
  /** this process among several on the database (`serve --role`); absent for the single process */
  process?: { owner: string; holder: string };
  /** records an audit event with the request's user (or `anonymous`) and address */
  audit(req: FastifyRequest, event: AuditInput): Promise<void>;
}

/** What route modules get: the server context plus the running parts `buildApp` was given. */
export type AppContext = ServerContext & {
  secrets: SecretBox;
  supervisor: Supervisor | undefined;
  secureCookies: boolean;
  mappingParser: MappingParser;
};
