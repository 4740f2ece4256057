/**
 * First-administrator setup, login and logout. The first start prints a one-time setup token
 * to the terminal (never a default password); whoever holds it creates the first Organization
 * admin. Logins lock an account after repeated failures; every attempt is audited, and a
 * refused login answers the same whatever the reason, so it reveals no user names.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  authenticate,
  completeSetup,
  countUsers,
  createSession,
  deleteSession,
  toSessionUser,
  SESSION_MAX_MS,
} from '../../security/index.js';
import type { AppContext } from '../context.js';
import type { SessionInfo, SessionUser, SetupStatus } from '../contract.js';
import { HttpError } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

export const SESSION_COOKIE = 'wxa_session';

const setupBody = z.object({
  token: z.string().min(1),
  username: z.string().min(1),
  displayName: z.string().min(1).max(200),
  password: z.string().min(1),
});
const loginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) });

export function sessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.store.db;

  const startSession = async (
    reply: FastifyReply,
    user: SessionUser,
    meta: { ip: string; userAgent: string },
  ): Promise<SessionInfo> => {
    const s = await createSession(db, user.id, meta, ctx.now());
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.secureCookies,
      maxAge: Math.floor(SESSION_MAX_MS / 1000),
    });
    return { user, csrfToken: s.csrfToken };
  };

  app.get(
    '/setup',
    { config: { access: 'public' }, schema: { summary: 'Whether the first administrator is still to be created' } },
    async (): Promise<SetupStatus> => ({ needed: (await countUsers(db)) === 0 }),
  );

  app.post(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Create the first Organization admin with the one-time setup token',
        body: jsonSchema(setupBody),
      },
    },
    async (req, reply) => {
      const body = parse(setupBody, req.body);
      // completeSetup checks the token first (no scrypt for a wrong one), then the password
      // before it spends the token, then creates the account and spends the token in one
      // transaction (two setups racing create one account).
      const created = await completeSetup(db, body, ctx.now());
      if (!created) {
        await ctx.audit(req, { action: 'auth.setup-refused', target: body.username });
        throw new HttpError(403, {
          code: 'WXA_SETUP_TOKEN',
          message: 'the setup token is wrong or was used; use the token `serve` printed at its last start',
        });
      }
      const found = await authenticate(db, created.username, body.password, ctx.now());
      if (!found.ok) throw new HttpError(500, { code: 'WXA_INTERNAL', message: 'the new account cannot log in' });
      req.user = toSessionUser(found.user);
      await ctx.audit(req, { action: 'auth.setup', target: created.username, detail: { roles: created.roles } });
      return startSession(reply, req.user, meta(req));
    },
  );

  app.post(
    '/session',
    { config: { access: 'public' }, schema: { summary: 'Log in', body: jsonSchema(loginBody) } },
    async (req, reply) => {
      const body = parse(loginBody, req.body);
      const result = await authenticate(db, body.username, body.password, ctx.now());
      if (!result.ok) {
        await ctx.audit(req, {
          action: 'auth.login-failed',
          target: body.username.toLowerCase(),
          detail: { reason: result.reason },
        });
        // Locked, disabled, unknown and wrong all answer alike (the audit above keeps the reason),
        // so the answer never tells whether an account exists; each path costs one scrypt.
        throw new HttpError(401, {
          code: 'WXA_LOGIN_FAILED',
          message:
            'wrong user name or password, or the account is locked after too many failed logins (try again later or ask an admin)',
        });
      }
      req.user = toSessionUser(result.user);
      await ctx.audit(req, { action: 'auth.login', target: result.user.username });
      return startSession(reply, req.user, meta(req));
    },
  );

  app.get(
    '/session',
    { config: { access: 'session' }, schema: { summary: 'The logged-in user and the CSRF token' } },
    // The auth hook has looked the session up already; this only hands it back.
    async (req): Promise<SessionInfo> => ({ user: req.user!, csrfToken: req.csrfToken! }),
  );

  app.delete('/session', { config: { access: 'session' }, schema: { summary: 'Log out' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await deleteSession(db, token);
    await ctx.audit(req, { action: 'auth.logout', target: req.user?.username ?? '' });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
}

function meta(req: { ip: string; headers: Record<string, string | string[] | undefined> }) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: (typeof ua === 'string' ? ua : '').slice(0, 300) };
}
