/**
 * What a retention policy is: a scope, a period counted from the message time, and what happens
 * at its end. Validated here once (zod) so the CLI, the API and the store all refuse the same
 * bad input with the same field-naming message.
 */
import { z } from 'zod';
import { ArchiverError } from '../../core/errors.js';

/** The conversation kinds a policy can be limited to; a message can be of two (an external group). */
export const CONVERSATION_KINDS = ['one-to-one', 'group', 'external'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

/** What happens when the period ends. */
export const RETENTION_ACTIONS = [
  /** delete the expired entries at the next disposition run */
  'delete',
  /** put them in a batch a named reviewer approves or postpones; nothing goes unapproved */
  'review',
] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

export const PERIOD_UNITS = ['days', 'years'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

/** An empty list means "all": a policy with no mailboxes covers every mailbox. */
export const scopeSchema = z
  .object({
    connectors: z.array(z.string().min(1)).default([]).describe('connector ids; empty for every connector'),
    mailboxes: z
      .array(z.string().email())
      .default([])
      .describe('mailbox addresses whose entries the policy covers; empty for every mailbox'),
    people: z
      .array(z.string().min(1))
      .default([])
      .describe('person ids (WeCom userid or external id): messages they sent or received; empty for everyone'),
    kinds: z.array(z.enum(CONVERSATION_KINDS)).default([]).describe('conversation kinds; empty for every kind'),
  })
  .strict();
export type RetentionScope = z.infer<typeof scopeSchema>;

export const policyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    period: z.object({ value: z.number().int().min(1).max(36500), unit: z.enum(PERIOD_UNITS) }).strict(),
    action: z.enum(RETENTION_ACTIONS).default('delete'),
    scope: scopeSchema.default({ connectors: [], mailboxes: [], people: [], kinds: [] }),
    /** who approves disposition batches; required for 'review' */
    reviewer: z.string().trim().min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.action === 'review' && !p.reviewer)
      ctx.addIssue({ code: 'custom', path: ['reviewer'], message: 'a review policy needs a named reviewer' });
  });
export type RetentionPolicyInput = z.input<typeof policyInputSchema>;

export interface RetentionPolicy {
  id: string;
  name: string;
  period: { value: number; unit: PeriodUnit };
  action: RetentionAction;
  scope: RetentionScope;
  reviewer: string | null;
  enabled: boolean;
  locked: boolean;
  lockedAt: number | null;
  lockedBy: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** Parses policy input, or throws naming every bad field. */
export function parsePolicyInput(input: unknown): z.infer<typeof policyInputSchema> {
  const r = policyInputSchema.safeParse(input);
  if (r.success) return r.data;
  const msg = r.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ');
  throw new ArchiverError('WXA_RETENTION_INVALID', `retention policy: ${msg}`);
}

const DAY = 86_400_000;

/**
 * When a message's retention ends. Years are calendar years in UTC (a message of 29 February
 * expires on 1 March), as records rules count them, not 365-day blocks.
 */
export function expiresAt(msgTime: number, period: { value: number; unit: PeriodUnit }): number {
  if (period.unit === 'days') return msgTime + period.value * DAY;
  const d = new Date(msgTime);
  d.setUTCFullYear(d.getUTCFullYear() + period.value);
  return d.getTime();
}

/**
 * The newest message time that is certainly expired at `now` under this period: used to ask the
 * store only for candidates (a year is at least 365 days, so this never misses one).
 */
export function cutoffFor(now: number, period: { value: number; unit: PeriodUnit }): number {
  return period.unit === 'days' ? now - period.value * DAY : now - period.value * 365 * DAY;
}
