/**
 * Retention policies as the CLI, the console and the scheduler use them: create (validated),
 * list, change, lock, enable, disable, remove. The store refuses whatever would shorten a locked
 * policy; this module only shapes input and output.
 */
import { randomBytes } from 'node:crypto';
import {
  getPolicy,
  insertPolicy,
  listPolicies,
  lockPolicy,
  removePolicy,
  updatePolicy,
  type PolicyRow,
} from '../../store/retention-policies.js';
import type { Db } from '../../store/db.js';
import { ArchiverError } from '../../core/errors.js';
import {
  parsePolicyInput,
  scopeSchema,
  type PeriodUnit,
  type RetentionAction,
  type RetentionPolicy,
  type RetentionPolicyInput,
  type RetentionScope,
} from './policy.js';

export function toPolicy(r: PolicyRow): RetentionPolicy {
  return {
    id: r.id,
    name: r.name,
    period: { value: Number(r.period_value), unit: r.period_unit as PeriodUnit },
    action: r.action as RetentionAction,
    scope: scopeSchema.parse(JSON.parse(r.scope_json)),
    reviewer: r.reviewer,
    enabled: r.enabled === 1,
    locked: r.locked === 1,
    lockedAt: r.locked_at === null ? null : Number(r.locked_at),
    lockedBy: r.locked_by,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Creates a policy (enabled, unlocked) and returns it; its id is `ret_` and 12 hex digits. */
export async function createPolicy(
  db: Db,
  input: RetentionPolicyInput,
  actor: string,
  now: number,
): Promise<RetentionPolicy> {
  const p = parsePolicyInput(input);
  const row: PolicyRow = {
    id: `ret_${randomBytes(6).toString('hex')}`,
    name: p.name,
    period_value: p.period.value,
    period_unit: p.period.unit,
    action: p.action,
    scope_json: JSON.stringify(p.scope),
    reviewer: p.reviewer ?? null,
    enabled: 1,
    locked: 0,
    locked_at: null,
    locked_by: null,
    created_by: actor,
    created_at: now,
    updated_at: now,
  };
  await insertPolicy(db, row, actor, now);
  return toPolicy(row);
}

export async function policies(db: Db): Promise<RetentionPolicy[]> {
  return (await listPolicies(db)).map(toPolicy);
}

export async function policy(db: Db, id: string): Promise<RetentionPolicy> {
  const r = await getPolicy(db, id);
  if (!r) throw new ArchiverError('WXA_NOT_FOUND', `no retention policy has id ${id}; see \`retention list\``);
  return toPolicy(r);
}

export interface PolicyChange {
  name?: string;
  period?: { value: number; unit: PeriodUnit };
  action?: RetentionAction;
  scope?: Partial<RetentionScope>;
  reviewer?: string | null;
}

/** Changes a policy; validated as a whole (the result must itself be a valid policy). */
export async function changePolicy(
  db: Db,
  id: string,
  c: PolicyChange,
  actor: string,
  now: number,
): Promise<RetentionPolicy> {
  const cur = await policy(db, id);
  const next = parsePolicyInput({
    name: c.name ?? cur.name,
    period: c.period ?? cur.period,
    action: c.action ?? cur.action,
    scope: { ...cur.scope, ...(c.scope ?? {}) },
    ...((c.reviewer === undefined ? cur.reviewer : c.reviewer) ? { reviewer: c.reviewer ?? cur.reviewer } : {}),
  });
  const row = await updatePolicy(
    db,
    id,
    {
      name: next.name,
      period_value: next.period.value,
      period_unit: next.period.unit,
      action: next.action,
      scope_json: JSON.stringify(next.scope),
      reviewer: next.reviewer ?? null,
    },
    actor,
    now,
  );
  return toPolicy(row);
}

export async function setPolicyEnabled(
  db: Db,
  id: string,
  enabled: boolean,
  actor: string,
  now: number,
): Promise<RetentionPolicy> {
  return toPolicy(await updatePolicy(db, id, { enabled: enabled ? 1 : 0 }, actor, now));
}

export async function lock(db: Db, id: string, actor: string, now: number): Promise<RetentionPolicy> {
  return toPolicy(await lockPolicy(db, id, actor, now));
}

export async function remove(db: Db, id: string, actor: string, now: number): Promise<void> {
  await removePolicy(db, id, actor, now);
}
