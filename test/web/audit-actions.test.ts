// The audit page names every action in words: every action code the server writes (anywhere in
// src/) is in the registry, every registered action has a name and a sentence in both catalogues,
// and each sentence, rendered from an event shaped like the one its writer records, leaves no
// placeholder unfilled. A new action without words fails here (and `appendAudit` does not
// compile with an unregistered code).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_ACTION_CODES,
  AUDIT_AREAS,
  isAuditAction,
  type AuditAction,
} from '../../src/compliance/audit/actions.js';
import type { AuditListedEvent } from '../../src/server/contract.js';
import { actorText, describeEvent, type DescribeContext } from '../../web/src/pages/audit/describe.js';
import { formatDateTime, formatDuration, formatNumber } from '../../web/src/components/format.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LANGUAGES = ['en', 'zh-CN'] as const;
type Catalogue = Record<string, unknown>;

const catalogue = (lng: string, ns: string): Catalogue =>
  JSON.parse(readFileSync(join(ROOT, 'web/src/locales', lng, `${ns}.json`), 'utf8')) as Catalogue;

function at(node: unknown, path: string[]): unknown {
  return path.reduce<unknown>((n, p) => (n && typeof n === 'object' ? (n as Catalogue)[p] : undefined), node);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The text of each call to `open` in a source file, up to its closing parenthesis. */
function callsOf(source: string, open: RegExp): string[] {
  const calls: string[] = [];
  for (const m of source.matchAll(open)) {
    let depth = 0;
    for (let i = m.index + m[0].length - 1; i < source.length; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')' && --depth === 0) {
        calls.push(source.slice(m.index, i + 1));
        break;
      }
    }
  }
  return calls;
}

/**
 * The action expressions a source file writes to the audit log: `action: ...` inside a call of
 * appendAudit, ctx.audit or auditCliRead, and the third argument of the cases' own
 * `audit(db, actor, ...)`. String literals in them are codes; a template literal is a pattern.
 */
function writtenActions(source: string): { literal: string[]; patterns: string[] } {
  const literal: string[] = [];
  const patterns: string[] = [];
  const exprs = [
    ...callsOf(source, /\b(?:appendAudit|ctx\.audit|auditCliRead)\(/g).flatMap((call) =>
      [...call.matchAll(/\baction:\s*([^,\n}]+)/g)].map((m) => m[1]!),
    ),
    ...[...source.matchAll(/\baudit\(\s*db,\s*actor,\s*([^,]+),/g)].map((m) => m[1]!),
  ];
  for (const expr of exprs) {
    for (const m of expr.matchAll(/'([^']+)'/g)) literal.push(m[1]!);
    for (const m of expr.matchAll(/`([^`]+)`/g)) patterns.push(m[1]!);
  }
  return { literal, patterns };
}

describe('audit action registry', () => {
  it('holds every action code written anywhere in src/', () => {
    const unknown: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const { literal, patterns } = writtenActions(readFileSync(file, 'utf8'));
      const where = file.slice(ROOT.length);
      for (const code of literal) {
        seen++;
        if (!isAuditAction(code)) unknown.push(`${where}: ${code}`);
      }
      for (const p of patterns) {
        seen++;
        const re = new RegExp(`^${p.replace(/\./g, '\\.').replace(/\$\{[^}]+\}/g, '[a-z-]+')}$`);
        if (!AUDIT_ACTION_CODES.some((c) => re.test(c))) unknown.push(`${where}: \`${p}\``);
      }
    }
    // The scan must see the writers; if it finds few, the patterns above no longer match the code.
    expect(seen).toBeGreaterThan(50);
    expect(unknown).toEqual([]);
  });

  it.each(LANGUAGES)('%s: names every action and every area, and has a sentence for each action', (lng) => {
    const audit = catalogue(lng, 'audit');
    const missing: string[] = [];
    for (const code of AUDIT_ACTION_CODES) {
      for (const leaf of ['label', 'says']) {
        const v = at(audit.actions, [...code.split('.'), leaf]);
        if (typeof v !== 'string' || v.trim() === '') missing.push(`actions.${code}.${leaf}`);
      }
    }
    for (const area of AUDIT_AREAS) if (typeof at(audit.areas, [area]) !== 'string') missing.push(`areas.${area}`);
    expect(missing).toEqual([]);
  });

  it('has no words for an action that is not registered', () => {
    const stale: string[] = [];
    const walk = (node: Catalogue, path: string[]) => {
      for (const [k, v] of Object.entries(node)) {
        if (v && typeof v === 'object') walk(v as Catalogue, [...path, k]);
        else if (!isAuditAction(path.join('.'))) stale.push(path.join('.'));
      }
    };
    walk(catalogue('en', 'audit').actions as Catalogue, []);
    expect([...new Set(stale)]).toEqual([]);
  });
});

/** One event per action, with the detail its writer records (see each writer in src/). */
const SAMPLES: Record<AuditAction, { target: string; detail?: Record<string, unknown>; actor?: string }> = {
  'auth.login': { target: 'alice' },
  'auth.login-failed': { target: 'alice', detail: { reason: 'locked' } },
  'auth.logout': { target: 'alice' },
  'auth.setup': { target: 'admin', detail: { roles: ['org-admin'] } },
  'auth.setup-refused': { target: 'admin' },
  'auth.refused': {
    target: '/api/cases',
    detail: { status: 403, method: 'GET', required: 'cases:read', roles: ['reviewer'] },
  },
  'user.create': { target: 'bob', detail: { roles: ['auditor', 'reviewer'] } },
  'user.update': {
    target: 'bob',
    detail: { rolesBefore: ['auditor'], rolesAfter: ['reviewer'], passwordChanged: true },
  },
  'connector.create': {
    target: 'acme',
    detail: { name: 'Acme', source: 'wecom', destinations: ['archive', 'imap'], termsVersion: '1', mappingCsv: true },
  },
  'connector.update': { target: 'acme', detail: { name: 'Acme', source: 'wecom', destinations: ['archive'] } },
  'connector.run': { target: 'acme' },
  'connector.pause': { target: 'acme' },
  'connector.resume': { target: 'acme' },
  'connector.test-source': { target: 'acme', detail: { source: 'wecom', ok: true } },
  'connector.test-destination': { target: 'acme', detail: { kind: 'imap', mailbox: 'a@example.com', ok: false } },
  'mapping.add': { target: 'acme/zhangwei', detail: { mailbox: 'zhang.wei@example.com', released: 3 } },
  'problems.reevaluate': { target: 'acme', detail: { reason: 'unmapped', released: 12 } },
  'problems.retry': { target: 'acme', detail: { reason: 'destination-refused', released: 2 } },
  'item.view': { target: 'a@example.com/k1', detail: { sha256: 'ab'.repeat(32) } },
  'item.preview': { target: 'a@example.com/k1', detail: { index: 0, sha256: 'ab'.repeat(32), filename: 'x.png' } },
  'item.attachment': { target: 'a@example.com/k1', detail: { index: 0, sha256: 'ab'.repeat(32), filename: 'x.pdf' } },
  'item.delete': { target: 'k1', detail: { mailbox: 'a@example.com', outcome: 'refused-hold', itemDeleted: false } },
  'conversation.view': { target: 'acme/c1', detail: { messages: 50, first: 'k1', last: 'k50' } },
  'mailbox.open': { target: 'a@example.com', detail: { folder: 'INBOX', limit: 50, via: 'cli' }, actor: 'os:alice' },
  'mailbox.search': { target: 'mailboxes', detail: { q: 'li' } },
  search: { target: 'archive', detail: { q: '合同', sort: 'newest', results: 1234 } },
  export: {
    target: 'case:7',
    detail: { format: 'eml', query: 'from:li', manifestSha256: 'cd'.repeat(32), items: 10, files: 11, bytes: 5000 },
  },
  'audit.search': { target: 'audit-log', detail: { filter: { actor: 'bob', action: 'hold.*' } } },
  'audit.export': { target: 'audit-log', detail: { format: 'csv', via: 'cli' }, actor: 'os:alice' },
  'audit.prune': {
    target: 'audit-log',
    detail: { throughId: 40, head: 'ef'.repeat(32), events: 40, beforeAt: 1_700_000_000_000, keepDays: 2557 },
  },
  'integrity.verify': {
    target: 'archive',
    detail: {
      ok: false,
      checkedAt: '2026-01-01T00:00:00.000Z',
      since: null,
      durationMs: 1500,
      problemCount: 2,
      firstBroken: { kind: 'blob', reason: 'hash mismatch' },
    },
  },
  'integrity.evidence': { target: 'archive', detail: { verified: true, files: 12 } },
  'retention.policy.create': { target: 'p1', detail: { name: 'Seven years', period: { value: 7, unit: 'years' } } },
  'retention.policy.update': { target: 'p1', detail: { name: 'Eight years' } },
  'retention.policy.lock': { target: 'p1' },
  'retention.dry-run': { target: 'archive', detail: { deleted: 4 } },
  'retention.batch.approve': { target: '3', detail: { policyId: 'p1' } },
  'retention.batch.postpone': { target: '3', detail: { policyId: 'p1' } },
  'case.create': { target: '7', detail: { name: 'Acme v. Foo' } },
  'case.close': { target: '7', detail: { reason: 'settled' } },
  'case.reopen': { target: '7' },
  'case.member.add': { target: '7', detail: { username: 'erin' } },
  'case.member.remove': { target: '7', detail: { username: 'erin' } },
  'case.search.save': { target: '7', detail: { searchId: 2, query: 'from:li', items: 30 } },
  'case.search.run': { target: '7', detail: { searchId: 2, query: 'from:li', items: 31 } },
  'case.export.start': {
    target: '7',
    detail: { exportId: 'e1', format: 'rsmf', reviewSetId: 3, name: 'First pass', tags: ['responsive'] },
  },
  'case.export.resume': { target: '7', detail: { exportId: 'e1' } },
  'case.export.download': { target: '7', detail: { exportId: 'e1', format: 'rsmf', manifestSha256: 'ab12' } },
  'case.export.manifest': { target: '7', detail: { exportId: 'e1', manifestSha256: 'ab12' } },
  'case.export.verify': { target: '7', detail: { exportId: 'e1', manifestSha256: 'ab12', ok: false, problems: 2 } },
  'hold.place': {
    target: '5',
    detail: { caseId: 7, kind: 'custodian', custodian: 'li.lei@example.com', items: 120 },
  },
  'hold.release': { target: '5', detail: { caseId: 7, kind: 'custodian', items: 120, reason: 'settled' } },
  'review-set.create': { target: '9', detail: { caseId: 7, name: 'First pass' } },
  'review-set.add': { target: '9', detail: { caseId: 7, searchId: 2, added: 30 } },
  'review-set.assign': { target: '9', detail: { caseId: 7, username: 'rita' } },
  'review-set.unassign': { target: '9', detail: { caseId: 7, username: 'rita' } },
  'review.tag.define': { target: 'hot' },
  'review.tag.add': { target: '7', detail: { caseId: 7, tagId: 3, name: 'hot' } },
  'review.tag.rename': { target: '7', detail: { caseId: 7, tagId: 3, from: 'hot', to: '重点', items: 2 } },
  'review.tag.retire': { target: '7', detail: { caseId: 7, tagId: 3, name: '重点' } },
  'review.tag.restore': { target: '7', detail: { caseId: 7, tagId: 3, name: '重点' } },
  'review.tag': { target: '9', detail: { tag: 'privileged', itemKeys: ['k1', 'k2'] } },
  'review.untag': { target: '9', detail: { tag: 'privileged', itemKeys: ['k1'] } },
  'review.comment': { target: '9', detail: { itemKey: 'k1', commentId: 4 } },
  'review.view': { target: '9', detail: { items: ['k1', 'k2', 'k3'] } },
  'supervision.policy.create': { target: 'supervision-policy:s1', detail: { name: 'Gifts', terms: 12 } },
  'supervision.policy.update': {
    target: 'supervision-policy:s1',
    detail: { version: 3, enabled: true, terms: 14 },
  },
  'supervision.policy.apply': { target: 'supervision-policy:s1' },
  'supervision.claim': { target: 'supervision-policy:s1/item:k1', detail: { state: 'claimed' } },
  'supervision.release': { target: 'supervision-policy:s1/item:k1', detail: { state: 'open' } },
  'supervision.tag': { target: 'supervision-policy:s1/item:k1', detail: { tag: 'violation' } },
  'supervision.comment': { target: 'supervision-policy:s1/item:k1' },
  'supervision.escalate': { target: 'supervision-policy:s1/item:k1', detail: { to: 'carol' } },
  'supervision.resolve': { target: 'supervision-policy:s1/item:k1', detail: { state: 'resolved', tag: 'ok' } },
  'supervision.reopen': { target: 'supervision-policy:s1/item:k1', detail: { state: 'open' } },
};

function event(action: string, s: { target: string; detail?: Record<string, unknown>; actor?: string }) {
  return {
    id: 1,
    at: 1_700_000_000_000,
    actor: s.actor ?? 'alice',
    action,
    target: s.target,
    detail: s.detail ?? {},
    ip: '127.0.0.1',
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
  } satisfies AuditListedEvent;
}

describe('audit events in words', () => {
  const contexts = new Map<string, DescribeContext>();
  beforeAll(async () => {
    const i18n = createInstance();
    await i18n.init({
      resources: Object.fromEntries(
        LANGUAGES.map((lng) => [lng, { audit: catalogue(lng, 'audit'), users: catalogue(lng, 'users') }]),
      ),
      lng: 'en',
      fallbackLng: false,
      interpolation: { escapeValue: false },
    });
    for (const lng of LANGUAGES) {
      const t = i18n.getFixedT(lng, 'audit') as TFunction;
      const users = i18n.getFixedT(lng, 'users');
      contexts.set(lng, {
        t,
        fmt: {
          dateTime: (ms) => formatDateTime(ms, lng),
          number: (n) => formatNumber(n, lng),
          duration: (ms) => formatDuration(ms, lng),
        },
        cases: { '7': 'Acme v. Foo' },
        roleName: (r) => users(`roles.${r}.name`),
      });
    }
  });

  it.each(LANGUAGES)('%s: every action gives a name and a full sentence, never a code or a placeholder', (lng) => {
    const c = contexts.get(lng)!;
    for (const code of AUDIT_ACTION_CODES) {
      const d = describeEvent(event(code, SAMPLES[code]), c);
      expect(d.label, code).not.toBe(code);
      expect(d.sentence, code).not.toMatch(/\{\{|\}\}|actions\.|undefined|\[object/);
      expect(d.details.length, code).toBe(Object.keys(SAMPLES[code].detail ?? {}).length);
    }
  });

  it('says what the issue asks, in English and Chinese', () => {
    const en = contexts.get('en')!;
    const zh = contexts.get('zh-CN')!;
    const hold = event('hold.place', SAMPLES['hold.place']);
    expect(describeEvent(hold, en).sentence).toBe(
      'Placed a legal hold on mailbox li.lei@example.com in case “Acme v. Foo” (120 items)',
    );
    expect(describeEvent(hold, zh).sentence).toBe(
      '在案件“Acme v. Foo”中对邮箱 li.lei@example.com 设置法律保留（120 个条目）',
    );
    const refused = event('auth.refused', SAMPLES['auth.refused']);
    expect(describeEvent(refused, en)).toMatchObject({
      label: 'Call refused',
      sentence: 'Refused: GET /api/cases (403, role Reviewer)',
    });
    expect(describeEvent(refused, zh).sentence).toBe('已拒绝：GET /api/cases（403，角色：审阅者）');
    const anonymous = event('auth.refused', {
      target: '/api/audit',
      detail: { status: 401, method: 'GET', required: 'audit:read', roles: [] },
      actor: 'anonymous',
    });
    expect(describeEvent(anonymous, en).sentence).toBe('Refused: GET /api/audit (401, not signed in)');
    expect(describeEvent(event('item.delete', SAMPLES['item.delete']), en).sentence).toBe(
      'Refused to delete item k1 from mailbox a@example.com: it is under legal hold',
    );
    expect(describeEvent(event('user.update', SAMPLES['user.update']), en).sentence).toBe(
      'Changed account bob: roles Auditor → Reviewer, password changed',
    );
    // A case this page was not told the name of is named by its number.
    expect(describeEvent(event('case.close', { target: '8' }), en).sentence).toBe('Closed case #8');
  });

  it('names who acted: a console user as is, the command line, the server and a visitor in words', () => {
    const { t } = contexts.get('en')!;
    expect(actorText('alice', t)).toBe('alice');
    expect(actorText('os:alice', t)).toBe('alice (command line, operating-system user)');
    expect(actorText('system', t)).toBe('the server itself');
    expect(actorText('anonymous', contexts.get('zh-CN')!.t)).toBe('未登录');
  });

  it('shows an action this console does not know by its code, with every detail field', () => {
    const d = describeEvent(event('future.thing', { target: 'x', detail: { n: 1000 } }), contexts.get('en')!);
    expect(d).toEqual({ label: 'future.thing', sentence: 'future.thing on x', details: [['n', '1,000']] });
  });
});
