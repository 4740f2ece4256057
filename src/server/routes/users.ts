/**
 * Accounts and roles (Organization admin only). A change of roles, password or the disabled
 * flag ends the user's sessions, so a removed permission takes effect at once. Every change is
 * audited with the roles before and after; passwords never appear in the audit detail.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createUser, deleteUserSessions, getUser, listUsers, ROLES, updateUser } from '../../security/index.js';
import type { AppContext } from '../context.js';
import type { UserSummary } from '../contract.js';
import { HttpError, notFound } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const roles = z.array(z.enum(ROLES)).min(1);
const createBody = z.object({
  username: z.string().min(1),
  displayName: z.string().min(1).max(200),
  password: z.string().min(1),
  roles,
});
const patchBody = z.object({
  displayName: z.string().min(1).max(200).optional(),
  roles: roles.optional(),
  password: z.string().min(1).optional(),
  disabled: z.boolean().optional(),
  unlock: z.boolean().optional(),
});
const userParams = z.object({ id: z.coerce.number().int().positive() });

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.store.db;
  const access = 'users:write' as const;

  app.get('/users', { config: { access }, schema: { summary: 'List accounts' } }, async () => ({
    users: await listUsers(db),
  }));

  app.post(
    '/users',
    { config: { access }, schema: { summary: 'Create an account', body: jsonSchema(createBody) } },
    async (req, reply): Promise<UserSummary> => {
      const body = parse(createBody, req.body);
      const user = await createUser(db, body, ctx.now());
      await ctx.audit(req, { action: 'user.create', target: user.username, detail: { roles: user.roles } });
      reply.code(201);
      return user;
    },
  );

  app.patch(
    '/users/:id',
    {
      config: { access },
      schema: { summary: 'Change roles, name, password, disabled flag or unlock', body: jsonSchema(patchBody) },
    },
    async (req): Promise<UserSummary> => {
      const { id } = parse(userParams, req.params);
      const body = parse(patchBody, req.body);
      const before = await getUser(db, id);
      if (!before) throw notFound(`user ${id}`);
      if (id === req.user?.id && (body.disabled || (body.roles && !body.roles.includes('org-admin')))) {
        throw new HttpError(400, {
          code: 'WXA_SELF_LOCKOUT',
          message: 'you cannot disable yourself or remove your own Organization admin role; ask another admin',
        });
      }
      const after = await updateUser(db, id, body, ctx.now());
      if (body.roles || body.password || body.disabled) await deleteUserSessions(db, id);
      await ctx.audit(req, {
        action: 'user.update',
        target: after.username,
        detail: {
          ...(body.roles ? { rolesBefore: before.roles, rolesAfter: after.roles } : {}),
          ...(body.password ? { passwordChanged: true } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          ...(body.unlock ? { unlocked: true } : {}),
          ...(body.displayName ? { displayName: body.displayName } : {}),
        },
      });
      return after;
    },
  );
}
