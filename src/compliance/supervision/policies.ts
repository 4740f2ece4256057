/**
 * Creating, changing and loading supervision policies. Every change is written to the audit
 * log (who changed which policy, and its new version), since a supervisory procedure must be
 * able to show what was in force when.
 */
import { appendAudit } from '../audit/index.js';
import { ArchiverError } from '../../core/errors.js';
import {
  getSupervisionPolicy,
  insertSupervisionPolicy,
  listSupervisionPolicies,
  updateSupervisionPolicy,
  type SupervisionPolicyRow,
} from '../../store/supervision.js';
import type { Db } from '../../store/db.js';
import {
  compilePolicy,
  conditionsOf,
  reviewersOf,
  type CompiledPolicy,
  type PolicyConditions,
  type PolicyInput,
} from './policy.js';

export interface SupervisionPolicy {
  id: number;
  name: string;
  enabled: boolean;
  version: number;
  conditions: PolicyConditions;
  reviewers: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

function policyOf(r: SupervisionPolicyRow): SupervisionPolicy {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    version: r.version,
    conditions: JSON.parse(r.conditionsJson) as PolicyConditions,
    reviewers: r.reviewers,
    createdBy: r.createdBy,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

function nameOf(name: string | undefined): string {
  const n = (name ?? '').trim();
  if (n === '' || n.length > 100)
    throw new ArchiverError('WXA_SUPERVISION_POLICY_INVALID', 'name: give a name of 1 to 100 characters', {
      details: { field: 'name' },
    });
  return n;
}

export async function createSupervisionPolicy(
  db: Db,
  input: PolicyInput,
  actor: string,
  now = Date.now(),
): Promise<SupervisionPolicy> {
  const name = nameOf(input.name);
  const conditions = conditionsOf(input);
  const reviewers = reviewersOf(input.reviewers);
  const existing = (await listSupervisionPolicies(db)).find((p) => p.name === name);
  if (existing)
    throw new ArchiverError(
      'WXA_SUPERVISION_POLICY_INVALID',
      `name: a policy named "${name}" exists (id ${existing.id})`,
      {
        details: { field: 'name' },
      },
    );
  const id = await insertSupervisionPolicy(db, {
    name,
    conditionsJson: JSON.stringify(conditions),
    reviewers,
    createdBy: actor,
    now,
  });
  await appendAudit(
    db,
    {
      actor,
      action: 'supervision.policy.create',
      target: `supervision-policy:${id}`,
      detail: { name, terms: conditions.terms.length, sampleBasisPoints: conditions.sampleBasisPoints },
    },
    now,
  );
  return (await getPolicy(db, id))!;
}

export interface PolicyChange extends Partial<Omit<PolicyInput, 'name'>> {
  name?: string;
  enabled?: boolean;
}

/** Changes a policy; new conditions take effect for items archived from now on, and for the history on apply. */
export async function changeSupervisionPolicy(
  db: Db,
  id: number,
  change: PolicyChange,
  actor: string,
  now = Date.now(),
): Promise<SupervisionPolicy> {
  const current = await getPolicy(db, id);
  if (!current) throw new ArchiverError('WXA_NOT_FOUND', `no supervision policy ${id}`);
  const touchesConditions = [
    'lexicon',
    'terms',
    'msgtypes',
    'external',
    'attachmentTypes',
    'supervised',
    'samplePercent',
  ].some((k) => (change as Record<string, unknown>)[k] !== undefined);
  const c = current.conditions;
  const conditions = touchesConditions
    ? conditionsOf({
        name: current.name,
        ...(change.lexicon !== undefined ? { lexicon: change.lexicon } : { terms: change.terms ?? c.terms }),
        ...(change.lexiconSource !== undefined ? { lexiconSource: change.lexiconSource } : {}),
        msgtypes: change.msgtypes ?? c.msgtypes,
        external: change.external ?? c.external,
        attachmentTypes: change.attachmentTypes ?? c.attachmentTypes,
        supervised: change.supervised !== undefined ? change.supervised : c.supervised,
        samplePercent: change.samplePercent ?? c.sampleBasisPoints / 100,
      })
    : undefined;
  await updateSupervisionPolicy(db, id, {
    ...(change.name !== undefined ? { name: nameOf(change.name) } : {}),
    ...(conditions ? { conditionsJson: JSON.stringify(conditions) } : {}),
    ...(change.reviewers !== undefined ? { reviewers: reviewersOf(change.reviewers) } : {}),
    ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
    now,
  });
  const after = (await getPolicy(db, id))!;
  await appendAudit(
    db,
    {
      actor,
      action: 'supervision.policy.update',
      target: `supervision-policy:${id}`,
      detail: { version: after.version, enabled: after.enabled, terms: after.conditions.terms.length },
    },
    now,
  );
  return after;
}

export async function getPolicy(db: Db, id: number): Promise<SupervisionPolicy | undefined> {
  const r = await getSupervisionPolicy(db, id);
  return r ? policyOf(r) : undefined;
}

export async function listPolicies(db: Db): Promise<SupervisionPolicy[]> {
  return (await listSupervisionPolicies(db)).map(policyOf);
}

/** The enabled policies, compiled: what the pipeline evaluates each archived item against. */
export async function loadActivePolicies(db: Db): Promise<CompiledPolicy[]> {
  return (await listSupervisionPolicies(db, { enabledOnly: true })).map((r) =>
    compilePolicy(r.id, r.version, JSON.parse(r.conditionsJson) as PolicyConditions),
  );
}
