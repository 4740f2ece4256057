// The console's main paths through its API with a running supervisor: first administrator from
// the one-time token, lockout, a sandbox connector made the way the wizard makes it (a CSV with
// bad rows refused with their lines first), held items for unmapped people released by a
// mapping added from the problems page, an item opened through a mailbox (audited), the audit
// chain verified, and live progress over a real socket.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { verifyAudit } from '../../src/compliance/audit/index.js';
import { issueSetupToken, MAX_FAILED_LOGINS } from '../../src/security/index.js';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type {
  AuditPage,
  ConnectorDetail,
  ConnectorSummary,
  CreateConnectorRequest,
  ItemPage,
  ItemView,
  MailboxPage,
  MappingPreview,
  ProblemsResponse,
} from '../../src/server/contract.js';
import {
  clientFor,
  login,
  nextRun,
  PASSWORD,
  startConsoleOn,
  userWith,
  type Client,
  type ConsoleHarness,
} from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('console API flow', (t) => {
  let h: ConsoleHarness;
  let admin: Client;

  beforeAll(async () => {
    h = await startConsoleOn(t, { supervisor: true });
  });
  afterAll(async () => h.close());

  const connector = (over: Partial<CreateConnectorRequest> = {}): CreateConnectorRequest => ({
    id: 'acme',
    name: 'ACME trading desk',
    termsAccepted: TERMS_VERSION,
    source: { kind: 'sandbox', messages: 120 },
    mapping: { autoFromDirectoryEmail: false },
    destinations: [{ kind: 'archive' }],
    schedule: { intervalSeconds: 3600 },
    ...over,
  });

  describe('console API flow', () => {
    it('creates the first administrator only with the one-time setup token', async () => {
      expect((await h.app.inject({ url: '/api/setup' })).json()).toEqual({ needed: true });
      const token = await issueSetupToken(h.store.db, Date.now());
      expect(token).toBeTruthy();
      const body = { username: 'alice', displayName: 'Alice Admin', password: PASSWORD };
      const wrong = await h.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: 'nope' } });
      expect(wrong.statusCode).toBe(403);
      const weak = await h.app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { ...body, token, password: 'short' },
      });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().code).toBe('WXA_PASSWORD_WEAK');
      // A refused attempt does not spend the token.
      const token2 = token!;
      const ok = await h.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: token2 } });
      expect(ok.statusCode, ok.body).toBe(200);
      admin = clientFor(h, ok);
      expect(admin.info.user.roles).toEqual(['org-admin']);
      expect(ok.cookies[0]).toMatchObject({ name: 'wxa_session', httpOnly: true, sameSite: 'Strict' });
      const again = await h.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: token2 } });
      expect(again.statusCode).toBe(403);
      expect((await h.app.inject({ url: '/api/setup' })).json()).toEqual({ needed: false });
      expect(await issueSetupToken(h.store.db, Date.now())).toBeNull();
    });

    it('locks an account after repeated failed logins', async () => {
      await userWith(h, 'bob', ['auditor']);
      for (let i = 1; i <= MAX_FAILED_LOGINS; i++) {
        const r = await h.app.inject({
          method: 'POST',
          url: '/api/session',
          payload: { username: 'bob', password: 'x' },
        });
        // Every refusal answers alike, the one that reaches the limit included (no user enumeration).
        expect(r.statusCode).toBe(401);
        expect(r.json().code).toBe('WXA_LOGIN_FAILED');
      }
      const locked = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'bob', password: PASSWORD },
      });
      // Locked: even the right password is refused, with the same answer as a wrong one.
      expect(locked.statusCode).toBe(401);
      expect(locked.json().code).toBe('WXA_LOGIN_FAILED');
      const users = await admin.json<{ users: { id: number; username: string }[] }>('GET', '/api/users');
      const bob = users.users.find((u) => u.username === 'bob')!;
      await admin.json('PATCH', `/api/users/${bob.id}`, { unlock: true });
      await login(h, 'bob', PASSWORD);
    });

    it('refuses a mapping CSV with bad rows, naming each line, and saves nothing', async () => {
      const csv = 'userid,mailbox\nzhangsan,zhangsan@example.com\nlisi,not-an-address\n,nobody@example.com\n';
      const preview = await admin.json<MappingPreview>('POST', '/api/wizard/mapping-preview', {
        csv,
        fileName: 'm.csv',
      });
      expect(preview.rows.map((r) => r.line)).toEqual([2]);
      expect(preview.problems.filter((p) => p.severity === 'error').map((p) => p.line)).toEqual([3, 4]);
      const res = await admin.request(
        'POST',
        '/api/connectors',
        connector({ mapping: { autoFromDirectoryEmail: false, csv } }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('WXA_MAPPING_INVALID');
      expect(res.json().fields.map((f: { path: string }) => f.path)).toEqual([
        'mapping.csv.line.3',
        'mapping.csv.line.4',
      ]);
      const list = await admin.json<{ connectors: ConnectorSummary[] }>('GET', '/api/connectors');
      expect(list.connectors).toEqual([]);
    });

    it('runs a new connector at once, holds the unmapped, and delivers them after a mapping is added', async () => {
      const test = await admin.json<{ ok: boolean }>('POST', '/api/wizard/test-source', {
        source: { kind: 'sandbox' },
      });
      expect(test.ok).toBe(true);
      const firstRun = nextRun(h, 'acme');
      const created = await admin.request('POST', '/api/connectors', connector());
      expect(created.statusCode, created.body).toBe(201);
      await firstRun;
      const detail = await admin.json<ConnectorDetail>('GET', '/api/connectors/acme');
      expect(detail.origin).toBe('console');
      expect(detail.runs).toHaveLength(1);
      expect(detail.runs[0]!.atSource).toBe(120);
      expect(detail.runs[0]!.held.unmapped).toBe(120);
      // Every record held: the run says so, and the lag is not "on time" while they wait.
      expect(detail.runs[0]!.outcome).toBe('held');
      expect(detail.lag.level).toBe('warning');
      expect(detail.lag.held).toBe(120);
      expect(detail.counters).toMatchObject({ atSource: 120, archived: 0, heldTotal: 120 });

      const problems = await admin.json<ProblemsResponse>('GET', '/api/problems?connectorId=acme');
      expect(problems.groups.find((g) => g.reason === 'unmapped')?.action).toBe('reevaluate');
      const person = problems.unmapped[0]!;
      expect(person.heldItems).toBeGreaterThan(0);

      const secondRun = nextRun(h, 'acme');
      const added = await admin.json<{ released: number }>('POST', '/api/connectors/acme/mappings', {
        participant: person.participant,
        mailbox: 'Desk.Lead@Example.com',
      });
      expect(added.released).toBeGreaterThan(0);
      await secondRun;
      const counted = await h.store.db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('connector_id', '=', 'acme')
        .executeTakeFirstOrThrow();
      const totals = (await admin.json<ConnectorDetail>('GET', '/api/connectors/acme')).totals;
      // Re-evaluated records found their items already written: the kept count did not grow twice.
      expect(totals.items).toBe(Number(counted.n));
      expect(totals.items).toBe(120);
      const after = await admin.json<ProblemsResponse>('GET', '/api/problems?connectorId=acme');
      expect(after.unmapped.find((u) => u.participant === person.participant)).toBeUndefined();

      const reviewer = await userWith(h, 'erin', ['ediscovery-admin']);
      const boxes = await reviewer.json<MailboxPage>('GET', '/api/mailboxes?q=desk.lead');
      expect(boxes.mailboxes.map((b) => b.address)).toEqual(['desk.lead@example.com']);
      expect(boxes.mailboxes[0]!.items).toBe(person.heldItems);
      const page = await reviewer.json<ItemPage>('GET', '/api/mailboxes/desk.lead%40example.com/items?limit=5');
      expect(page.items.length).toBeGreaterThan(0);
      const key = page.items[0]!.itemKey;
      const view = await reviewer.json<ItemView>(
        'GET',
        `/api/mailboxes/desk.lead%40example.com/items/${encodeURIComponent(key)}`,
      );
      expect(view.sha256).toMatch(/^[0-9a-f]{64}$/);
      const html = await reviewer.request('GET', view.htmlUrl);
      expect(html.statusCode).toBe(200);
      expect(html.headers['content-security-policy']).toContain("default-src 'none'");

      const auditor = await userWith(h, 'carol', ['auditor']);
      const audit = await auditor.json<AuditPage>('GET', '/api/audit?action=item.*');
      expect(audit.events.some((e) => e.actor === 'erin' && e.action === 'item.view' && e.target.endsWith(key))).toBe(
        true,
      );
      const created2 = await auditor.json<AuditPage>('GET', '/api/audit?action=connector.create');
      expect(created2.events[0]).toMatchObject({ actor: 'alice', target: 'acme' });
      expect(JSON.stringify(created2.events[0]!.detail)).toContain(TERMS_VERSION);
      const searches = await auditor.json<AuditPage>('GET', '/api/audit?action=mailbox.*&actor=erin');
      expect(searches.events.map((e) => [e.action, e.target, e.detail])).toEqual([
        ['mailbox.open', 'desk.lead@example.com', {}],
        ['mailbox.search', 'mailboxes', { q: 'desk.lead' }],
      ]);
      const mapped = await auditor.json<AuditPage>('GET', '/api/audit?action=mapping.add');
      expect(mapped.events[0]!.detail).toMatchObject({ mailbox: 'desk.lead@example.com' });
      expect(await verifyAudit(h.store.db)).toMatchObject({ ok: true });
    });

    it('streams live progress of a run over server-sent events', async () => {
      const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
      const cookie = `wxa_session=${await loginCookie()}`;
      const ac = new AbortController();
      const res = await fetch(`${address}/api/events`, { headers: { cookie }, signal: ac.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      try {
        await admin.json('POST', '/api/connectors/acme/run');
        const decoder = new TextDecoder();
        while (!text.includes('event: run')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value);
        }
      } finally {
        ac.abort();
      }
      expect(text).toContain('event: state');
      expect(text).toMatch(/event: progress\ndata: \{"connectorId":"acme"/);
      expect(text).toContain('event: run');
    });
  });

  describe('secrets', () => {
    it('keeps WeCom secrets write-only and encrypted, and shows a connector that cannot start as failing', async () => {
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      const secret = 'archive-secret-Zq8x1';
      const failedRun = nextRun(h, 'wecom-prod').catch(() => undefined);
      const res = await admin.request('POST', '/api/connectors', {
        ...connector({ id: 'wecom-prod', name: 'WeCom production' }),
        source: { kind: 'wecom', corpId: 'ww0123456789', sdkLibrary: '/nonexistent/libWeWorkFinanceSdk_C.so' },
        secrets: { archiveSecret: secret, privateKeys: [{ version: 3, pem: String(pem) }] },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toContain('PRIVATE KEY');
      const detail = res.json<ConnectorDetail>();
      expect(detail.secrets).toEqual({ archiveSecret: 'set', 'privateKeys.3': 'set' });
      const rows = await h.store.db.selectFrom('connector_definitions').selectAll().execute();
      const stored = await h.store.db.selectFrom('secrets').selectAll().execute();
      for (const text of [JSON.stringify(rows), JSON.stringify(stored)]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain('PRIVATE KEY');
      }
      expect(stored.map((s) => s.name).sort()).toEqual([
        'connector/wecom-prod/archive-secret',
        'connector/wecom-prod/key/v3',
      ]);
      // The vendor library is not there: the run fails and the tab says so with the reason.
      await Promise.race([failedRun, new Promise((r) => setTimeout(r, 20_000))]);
      await expect
        .poll(async () => (await admin.json<ConnectorDetail>('GET', '/api/connectors/wecom-prod')).state, {
          timeout: 30_000,
        })
        .toBe('failing');
      const after = await admin.json<ConnectorDetail>('GET', '/api/connectors/wecom-prod');
      expect(after.stateDetail).toContain('libWeWorkFinanceSdk_C.so');
      const audit = await h.store.db.selectFrom('audit_events').select('detail_json').execute();
      expect(JSON.stringify(audit)).not.toContain(secret);
      await admin.json('POST', '/api/connectors/wecom-prod/pause');
      expect((await admin.json<ConnectorDetail>('GET', '/api/connectors/wecom-prod')).state).toBe('paused');
    });
  });

  describe('audit verify', () => {
    it('says the chain is intact, then names the event someone altered', async () => {
      const good = await cli('audit', 'verify', ...h.storeArgs);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/audit log intact: \d+ events/);
      const victim = await h.store.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'mapping.add')
        .executeTakeFirstOrThrow();
      await h.store.db.updateTable('audit_events').set({ actor: 'mallory' }).where('id', '=', victim.id).execute();
      const bad = await cli('audit', 'verify', ...h.storeArgs);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(`BROKEN at event ${victim.id}`);
    });
  });

  async function loginCookie(): Promise<string> {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: PASSWORD },
    });
    return r.cookies.find((c) => c.name === 'wxa_session')!.value;
  }
});
