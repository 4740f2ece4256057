/**
 * An audit event in words: the action's name and a sentence built from its target and detail
 * ("Placed a legal hold on mailbox li.lei@example.com in case “Acme v. Foo”"), plus every detail
 * field as a labelled line for the expanded view. Sentences live in the audit catalogue
 * (actions.<code>.says and its variants); this module only picks the variant and the values.
 * An action this console does not know (an older or newer server) is shown by its code.
 */
import type { TFunction } from 'i18next';
import { isAuditAction, type AuditAction } from '../../../../src/compliance/audit/actions.js';
import type { AuditEvent } from '../../../../src/server/contract.js';

/** The formatters it needs (use-format.ts gives them bound to the reader's language). */
export interface EventFormatters {
  number(n: number): string;
  dateTime(ms: number): string;
  duration(ms: number): string;
}

export interface DescribeContext {
  /** bound to the 'audit' namespace */
  t: TFunction;
  fmt: EventFormatters;
  /** names of the cases the page's events mention, by id */
  cases: Record<string, string>;
  /** a role's display name */
  roleName: (role: string) => string;
}

export interface DescribedEvent {
  label: string;
  sentence: string;
  /** every detail field, labelled, in the stored order */
  details: [string, string][];
}

type Values = Record<string, string>;
type Detail = Record<string, unknown>;
/** The catalogue variant of the sentence (default 'says') and the values it needs beyond the generic ones. */
type Special = (e: AuditEvent, c: DescribeContext) => { variant?: string; values?: Values };

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** A detail value as text: numbers in the reader's format, lists joined, objects as compact JSON. */
function valueText(v: unknown, c: DescribeContext): string {
  if (typeof v === 'number') return c.fmt.number(v);
  if (typeof v === 'boolean') return c.t(v ? 'yes' : 'no');
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) {
    return v.map((x) => valueText(x, c)).join(c.t('listSeparator'));
  }
  return JSON.stringify(v);
}

function caseText(id: unknown, c: DescribeContext): string {
  const key = str(id);
  const name = c.cases[key];
  return name !== undefined ? c.t('caseName', { name, id: key }) : c.t('caseNumber', { id: key });
}

function rolesText(roles: unknown, c: DescribeContext): string {
  return Array.isArray(roles) ? roles.map((r) => c.roleName(str(r))).join(c.t('listSeparator')) : '';
}

/** 'supervision-policy:P/item:K' -> policy P, item K */
function supervisionTarget(target: string): Values {
  const m = /^supervision-policy:([^/]*)(?:\/item:(.*))?$/.exec(target);
  return { policy: m?.[1] ?? target, item: m?.[2] ?? '' };
}

const countOf = (v: unknown, c: DescribeContext): string => c.fmt.number(Array.isArray(v) ? v.length : Number(v ?? 0));

const caseFromDetail: Special = (e, c) => ({ values: { case: caseText((e.detail as Detail).caseId, c) } });
const caseFromTarget: Special = (e, c) => ({ values: { case: caseText(e.target, c) } });
const supervision: Special = (e) => ({ values: supervisionTarget(e.target) });

const SPECIAL: Partial<Record<AuditAction, Special>> = {
  'auth.login-failed': (e, c) => ({
    values: { reason: c.t(`loginReasons.${str(e.detail.reason)}`, { defaultValue: str(e.detail.reason) }) },
  }),
  'auth.setup': (e, c) => ({ values: { roles: rolesText(e.detail.roles, c) } }),
  'user.create': (e, c) => ({ values: { roles: rolesText(e.detail.roles, c) } }),
  'auth.refused': (e, c) => {
    const roles = Array.isArray(e.detail.roles) ? e.detail.roles : [];
    const who =
      e.actor === 'anonymous' || e.detail.status === 401
        ? c.t('who.anonymous')
        : roles.length > 0
          ? c.t('who.roles', { count: roles.length, roles: rolesText(roles, c) })
          : c.t('who.noRole');
    return { values: { path: e.target, status: str(e.detail.status), method: str(e.detail.method), who } };
  },
  'user.update': (e, c) => {
    const d = e.detail;
    const parts = [
      d.rolesAfter !== undefined &&
        c.t('changes.roles', { before: rolesText(d.rolesBefore, c), after: rolesText(d.rolesAfter, c) }),
      d.passwordChanged === true && c.t('changes.password'),
      d.disabled === true && c.t('changes.disabled'),
      d.disabled === false && c.t('changes.enabled'),
      d.unlocked === true && c.t('changes.unlocked'),
      typeof d.displayName === 'string' && c.t('changes.displayName', { name: d.displayName }),
    ].filter((p): p is string => typeof p === 'string');
    return { values: { changes: parts.length ? parts.join(c.t('listSeparator')) : c.t('changes.none') } };
  },
  'connector.test-source': (e, c) => ({ values: { outcome: c.t(e.detail.ok ? 'outcome.ok' : 'outcome.failed') } }),
  'connector.test-destination': (e, c) => ({
    values: { outcome: c.t(e.detail.ok ? 'outcome.ok' : 'outcome.failed') },
  }),
  'mapping.add': (e) => {
    const slash = e.target.indexOf('/');
    return { values: { connector: e.target.slice(0, slash), participant: e.target.slice(slash + 1) } };
  },
  'item.delete': (e) => ({
    variant:
      e.detail.outcome === 'refused-hold' ? 'saysRefused' : e.detail.outcome === 'not-found' ? 'saysMissing' : 'says',
  }),
  search: (e, c) => {
    // A reviewer's search within a review set (target review-set:N), else the archive's.
    const set = /^review-set:(\d+)$/.exec(e.target)?.[1];
    return {
      variant: e.detail.error ? 'saysError' : set ? 'saysSet' : 'says',
      values: {
        q: str(e.detail.q ?? e.detail.query),
        results: c.fmt.number(Number(e.detail.results ?? 0)),
        ...(set ? { set } : {}),
      },
    };
  },
  export: (e, c) => {
    const caseId = /^case:(\d+)$/.exec(e.target)?.[1];
    const counts = e.detail.items ?? e.detail.entries ?? 0;
    return {
      variant: e.detail.query ? 'saysQuery' : 'says',
      values: {
        scope: caseId ? c.t('scope.case', { case: caseText(caseId, c) }) : c.t('scope.archive'),
        items: c.fmt.number(Number(counts)),
      },
    };
  },
  'audit.search': (e, c) => {
    const filter = (e.detail.filter ?? {}) as Detail;
    const shown = Object.entries(filter).map(([k, v]) =>
      k === 'from' || k === 'to' ? `${k} ${c.fmt.dateTime(Number(v))}` : `${k} ${valueText(v, c)}`,
    );
    return shown.length ? { variant: 'saysFiltered', values: { filter: shown.join(c.t('listSeparator')) } } : {};
  },
  'audit.prune': (e, c) => ({
    values: {
      before: c.fmt.dateTime(Number(e.detail.beforeAt)),
      events: c.fmt.number(Number(e.detail.events ?? 0)),
      kept: c.t('period.days', { count: Number(e.detail.keepDays ?? 0) }),
    },
  }),
  'integrity.verify': (e, c) => {
    const first = e.detail.firstBroken as { kind?: string; reason?: string } | null | undefined;
    return {
      variant: e.detail.ok === false ? 'saysFailed' : 'says',
      values: {
        duration: c.fmt.duration(Number(e.detail.durationMs ?? 0)),
        problems: c.fmt.number(Number(e.detail.problemCount ?? 0)),
        first: first ? `${str(first.kind)}: ${str(first.reason)}` : '',
      },
    };
  },
  'integrity.evidence': (e, c) => ({
    values: {
      files: c.fmt.number(Number(e.detail.files ?? 0)),
      outcome: c.t(e.detail.verified === false ? 'outcome.failed' : 'outcome.ok'),
    },
  }),
  'retention.policy.create': (e, c) => {
    const p = (e.detail.period ?? {}) as { value?: number; unit?: string };
    return { values: { period: c.t(`period.${p.unit === 'years' ? 'years' : 'days'}`, { count: p.value ?? 0 }) } };
  },
  'retention.dry-run': (e, c) => ({ values: { deleted: countOf(e.detail.deleted, c) } }),
  'case.create': (e, c) => ({
    values: {
      case: e.detail.name ? c.t('caseName', { name: str(e.detail.name), id: e.target }) : caseText(e.target, c),
    },
  }),
  'case.close': (e, c) => ({ variant: e.detail.reason ? 'saysReason' : 'says', values: caseFromTarget(e, c).values }),
  'case.reopen': (e, c) => ({ variant: e.detail.reason ? 'saysReason' : 'says', values: caseFromTarget(e, c).values }),
  'case.member.add': caseFromTarget,
  'case.member.remove': caseFromTarget,
  'case.search.save': caseFromTarget,
  'case.search.run': caseFromTarget,
  'case.export.start': caseFromTarget,
  'case.export.resume': caseFromTarget,
  'case.export.download': caseFromTarget,
  'case.export.manifest': caseFromTarget,
  'case.export.verify': caseFromTarget,
  'hold.place': (e, c) => ({
    variant: e.detail.kind === 'query' ? 'saysQuery' : 'says',
    values: { case: caseText(e.detail.caseId, c) },
  }),
  'hold.release': (e, c) => ({
    variant: e.detail.reason ? 'saysReason' : 'says',
    values: { case: caseText(e.detail.caseId, c) },
  }),
  'review-set.create': caseFromDetail,
  'review-set.add': caseFromDetail,
  'review.tag.add': caseFromDetail,
  'review.tag.rename': caseFromDetail,
  'review.tag.retire': caseFromDetail,
  'review.tag.restore': caseFromDetail,
  'review.tag': (e, c) => ({ values: { count: countOf(e.detail.itemKeys, c) } }),
  'review.untag': (e, c) => ({ values: { count: countOf(e.detail.itemKeys, c) } }),
  'review.view': (e, c) => ({ values: { count: countOf(e.detail.items, c) } }),
  'supervision.policy.update': supervision,
  'supervision.policy.apply': supervision,
  'supervision.claim': supervision,
  'supervision.release': supervision,
  'supervision.tag': supervision,
  'supervision.comment': supervision,
  'supervision.escalate': supervision,
  'supervision.resolve': supervision,
  'supervision.reopen': supervision,
};

export function describeEvent(e: AuditEvent, c: DescribeContext): DescribedEvent {
  const details: [string, string][] = Object.entries(e.detail).map(([k, v]) => [
    c.t(`detailKeys.${k}`, { defaultValue: k }),
    valueText(v, c),
  ]);
  if (!isAuditAction(e.action)) {
    return { label: e.action, sentence: c.t('unknownAction', { action: e.action, target: e.target }), details };
  }
  // Every scalar detail field is offered to the sentence; the special rule adds or replaces some.
  const values: Values = { target: e.target };
  for (const [k, v] of Object.entries(e.detail)) values[k] = valueText(v, c);
  const special = SPECIAL[e.action]?.(e, c) ?? {};
  Object.assign(values, special.values);
  const base = `actions.${e.action}`;
  return {
    label: c.t(`${base}.label`),
    sentence: c.t(`${base}.${special.variant ?? 'says'}`, values),
    details,
  };
}

/** Who acted, in words: a console user as is; the CLI's `os:<user>`, the server and a visitor said so. */
export function actorText(actor: string, tAudit: TFunction): string {
  // tAudit is bound to the 'audit' namespace (the keys are under "actor" there).
  if (actor.startsWith('os:')) return tAudit('actor.os', { user: actor.slice(3) });
  if (actor === 'system') return tAudit('actor.system');
  if (actor === 'anonymous') return tAudit('actor.anonymous');
  return actor;
}
