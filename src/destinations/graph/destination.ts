/**
 * The Microsoft Graph destination: wires configuration, tokens, the per-mailbox limiter and
 * the folder cache together, and answers the Destination seam (check, has, deliver, close).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describeError } from '../../core/errors.js';
import type { CheckResult, Destination } from '../types.js';
import { resolveEndpoints } from './clouds.js';
import type { GraphDestinationConfig } from './config.js';
import { attachmentNames, deliverToMailbox, findCopy, type GraphContext } from './deliver.js';
import { FolderCache } from './folders.js';
import { GraphHttp, type TokenSource } from './http.js';
import { MailboxLimiter } from './mailbox-limiter.js';
import { msalTokenSource } from './token.js';
import { memoryUploadSessions, type UploadSessionStore } from './upload.js';

export interface GraphDestinationDeps {
  /** HTTP for Graph and for token requests (default: global fetch) */
  fetch?: typeof fetch;
  /** replaces msal: returns a bearer token (tests against an emulator) */
  tokenProvider?: () => Promise<string>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** in [0, 1): the jitter of backoff */
  random?: () => number;
  /** where open upload sessions are kept (default: memory; the store keeps them across restarts) */
  uploadSessions?: UploadSessionStore;
}

/** Application permissions in an app-only token (`roles` claim), when the token is a readable JWT. */
export function tokenRoles(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.map(String) : undefined;
  } catch {
    return undefined;
  }
}

export function createGraphDestination(cfg: GraphDestinationConfig, deps: GraphDestinationDeps = {}): Destination {
  const f = deps.fetch ?? fetch;
  const clock = { now: deps.now ?? Date.now, sleep: deps.sleep ?? ((ms: number) => delay(ms)) };
  const endpoints = resolveEndpoints(cfg);
  const provider = deps.tokenProvider;
  const tokens: TokenSource = provider ? { token: () => provider() } : msalTokenSource(cfg, endpoints, f, clock.now);
  const limiter = new MailboxLimiter(
    cfg.maxConcurrentPerMailbox,
    clock,
    { requests: cfg.requestsPer10Minutes, windowMs: 10 * 60_000 },
    { bytes: cfg.uploadBytesPer5Minutes, windowMs: 5 * 60_000 },
  );
  const random = deps.random ?? Math.random;
  const http = new GraphHttp({
    fetch: f,
    tokens,
    limiter,
    clock,
    random,
    maxRetries: cfg.maxRetries,
    maxRetryWaitMs: cfg.maxRetryWaitSeconds * 1000,
    timeoutMs: cfg.requestTimeoutSeconds * 1000,
  });
  const folders = new FolderCache(http, endpoints.graphBaseUrl, cfg.folder);
  const ctx: GraphContext = {
    http,
    folders,
    cfg,
    limiter,
    clock,
    random,
    sessions: deps.uploadSessions ?? memoryUploadSessions(),
    learnedLimits: new Map(),
  };

  async function check(): Promise<CheckResult> {
    const details: string[] = [];
    let token: string;
    try {
      token = await tokens.token();
    } catch (err) {
      return { ok: false, details: [describeError(err)] };
    }
    let ok = true;
    details.push(`signed in as app ${cfg.clientId} at ${endpoints.authority} (scope ${endpoints.scope})`);
    const roles = tokenRoles(token);
    if (roles && !roles.includes('Mail.ReadWrite')) {
      ok = false;
      details.push(
        `the token grants ${roles.join(', ') || 'no application permission'} but not Mail.ReadWrite; ` +
          'add the application permission Mail.ReadWrite to the app registration and grant admin consent',
      );
    } else if (roles) {
      details.push('application permission Mail.ReadWrite is granted');
    }
    if (!cfg.checkMailbox) {
      details.push('no checkMailbox configured: access to each mailbox is verified by its first delivery');
      return { ok, details };
    }
    try {
      const folder = await folders.find(cfg.checkMailbox);
      details.push(
        folder
          ? `folder "${cfg.folder}" found in ${cfg.checkMailbox}`
          : `${cfg.checkMailbox} is reachable; folder "${cfg.folder}" does not exist yet and is created with the first item`,
      );
    } catch (err) {
      ok = false;
      details.push(describeError(err));
    }
    return { ok, details };
  }

  return {
    kind: 'graph',
    check,
    async has(key, mailbox) {
      const folderId = await folders.find(mailbox);
      if (!folderId) return false;
      const copy = await findCopy(ctx, mailbox, folderId, key);
      if (!copy) return false;
      // An unfinished copy (crash between creating it and its last attachment) is not "had":
      // deliver() finishes it.
      if (copy.attachmentCount === 0) return true;
      return (await attachmentNames(ctx, mailbox, copy.id)).length >= copy.attachmentCount;
    },
    deliver: (item, mailbox) => deliverToMailbox(ctx, item, mailbox),
    async close() {
      folders.clear();
      limiter.clear();
    },
  };
}
