// The audit page in a real browser against a real `serve`: an auditor reads what happened in
// words (a legal hold placed in a named case, a reviewer refused), pages back to the first
// administrator's setup, filters by kind of action, actor and day, opens an event to see its
// place in the hash chain (the same hash the API gives), and reads it all in Simplified Chinese.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { byTestId, openFromNav, login, PASSWORD, testIdsWithPrefix, visible, WAIT_MS } from '../helpers/browser.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';
import { startSandboxConsole, type SandboxConsole } from '../helpers/sandbox-console.js';

const ADMIN = { username: 'olga', displayName: 'Olga Org-Admin', password: PASSWORD };
const REFUSALS = 55;

let h: SandboxConsole | undefined;
let serve: ServeProcess;
let page: Page;

interface Session {
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

async function signIn(username: string): Promise<Session> {
  const s = await fetch(`${serve.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(s.status).toBe(200);
  const { csrfToken } = (await s.json()) as { csrfToken: string };
  const cookie = /wxa_session=[^;]+/.exec(s.headers.get('set-cookie') ?? '')![0];
  return {
    call: (method, path, body) =>
      fetch(`${serve.url}${path}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
  };
}

beforeAll(async () => {
  h = await startSandboxConsole('audit-e2e', 5, ADMIN);
  ({ serve, page } = h);
  const admin = await signIn(ADMIN.username);
  for (const [username, roles] of [
    ['audrey', ['auditor']],
    ['rita', ['reviewer']],
  ] as const) {
    const r = await admin.call('POST', '/api/users', { username, displayName: username, password: PASSWORD, roles });
    expect(r.status).toBe(201);
  }
  const c = await admin.call('POST', '/api/cases', { name: 'Acme v. Foo' });
  expect(c.status).toBe(201);
  const { id } = (await c.json()) as { id: number };
  expect((await admin.call('POST', `/api/cases/${id}/holds`, { custodian: 'desk@example.com' })).status).toBe(201);
  const rita = await signIn('rita');
  // Enough refusals that the log no longer fits one page.
  for (let i = 0; i < REFUSALS; i++) expect((await rita.call('GET', '/api/cases')).status).toBe(403);
});

afterAll(async () => {
  await h?.close();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

/** The sentences of the rows shown, in order. */
async function sentences(): Promise<string[]> {
  return page.locator('[data-testid^="audit-says-"]').allTextContents();
}

/** Applies the filters and waits until the URL says so and the rows shown are the new answer. */
async function applyFilters(param: string, value: string, rows: (s: string[]) => boolean): Promise<string[]> {
  await byTestId(page, 'audit-apply').click();
  await expect.poll(() => new URL(page.url()).searchParams.get(param), { timeout: WAIT_MS }).toBe(value);
  await expect.poll(async () => rows(await sentences()), { timeout: WAIT_MS }).toBe(true);
  return sentences();
}

describe('the audit page in the browser', () => {
  it('names what happened in words and pages back to the start of the log', () =>
    step(async () => {
      await login(page, 'audrey');
      await openFromNav(page, 'audit');
      await page.waitForURL('**/audit');
      await visible(page, 'audit-table');
      // The log's own retention, by default forever.
      expect(await (await visible(page, 'audit-retention')).textContent()).toBe('Audit events are kept forever.');
      const first = await sentences();
      expect(first).toHaveLength(50);
      expect(first).toContain('Refused: GET /api/cases (403, role Reviewer)');
      expect(await byTestId(page, 'audit-older').count()).toBe(1);

      await byTestId(page, 'audit-older').click();
      await expect.poll(async () => (await sentences()).length, { timeout: WAIT_MS }).toBeGreaterThan(50);
      const all = await sentences();
      expect(all.filter((s) => s === 'Refused: GET /api/cases (403, role Reviewer)')).toHaveLength(REFUSALS);
      expect(all).toContainEqual(
        expect.stringMatching(
          /^Placed a legal hold on mailbox desk@example\.com in case “Acme v\. Foo” \(\d+ items\)$/,
        ),
      );
      expect(all).toContain('Created case “Acme v. Foo”');
      expect(all).toContain('Created the first administrator account olga with roles Organization admin');
      expect(all).toContain('Created account rita with roles Reviewer');
      // No raw code and no JSON anywhere in the sentences.
      expect(all.filter((s) => /[{}]|\b[a-z]+\.[a-z-]+\b(?!\.com)/.test(s.replace(/\S+@\S+|\/api\/\S+/g, '')))).toEqual(
        [],
      );
    }));

  it('filters by kind of action, by actor and by day', () =>
    step(async () => {
      await byTestId(page, 'audit-filter-action').selectOption('hold.*');
      const holds = await applyFilters('action', 'hold.*', (s) => s.length === 1);
      expect(holds[0]).toMatch(/^Placed a legal hold/);
      expect(await page.locator('[data-testid^="audit-action-"]').allTextContents()).toEqual(['Legal hold placed']);

      await byTestId(page, 'audit-filter-action').selectOption('');
      await byTestId(page, 'audit-filter-actor').fill('rita');
      const ritas = await applyFilters('actor', 'rita', (s) => s.length === 50);
      // rita signed in once and was refused 55 times; the newest 50 are refusals.
      expect(ritas).toHaveLength(50);
      expect(new Set(ritas)).toEqual(new Set(['Refused: GET /api/cases (403, role Reviewer)']));
      await byTestId(page, 'audit-older').click();
      await expect.poll(async () => (await sentences()).length, { timeout: WAIT_MS }).toBe(REFUSALS + 1);
      expect(await sentences()).toContain('Signed in as rita');

      const tomorrow = new Date(Date.now() + 86_400_000);
      const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
      await byTestId(page, 'audit-filter-from').fill(day);
      await applyFilters('from', day, (s) => s.length === 0);
      await visible(page, 'audit-empty');
      await byTestId(page, 'audit-clear').click();
      await expect.poll(async () => (await sentences()).length, { timeout: WAIT_MS }).toBe(50);
    }));

  it('shows the hash chain fields of an event on demand, as the API stores them', () =>
    step(async () => {
      await byTestId(page, 'audit-filter-action').selectOption('hold.place');
      await applyFilters('action', 'hold.place', (s) => s.length === 1);
      const [rowId] = await testIdsWithPrefix(page, 'audit-row-');
      const id = rowId!.slice('audit-row-'.length);
      const hash = byTestId(page, `audit-hash-${id}`);
      expect(await hash.isVisible()).toBe(false);
      await byTestId(page, `audit-more-${id}`).locator('summary').click();
      await expect.poll(() => hash.isVisible(), { timeout: WAIT_MS }).toBe(true);
      const api = await page.evaluate(async () => {
        const r = await fetch('/api/audit?action=hold.place');
        return (await r.json()) as { events: { id: number; hash: string; prevHash: string }[] };
      });
      expect(await hash.textContent()).toBe(api.events[0]!.hash);
      expect(await byTestId(page, `audit-chain-${id}`).textContent()).toContain(api.events[0]!.prevHash);
      expect(await byTestId(page, `audit-more-${id}`).textContent()).toContain('desk@example.com');
    }));

  it('reads the same log in Simplified Chinese', () =>
    step(async () => {
      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      await page.goto('/audit');
      await visible(page, 'audit-table');
      expect(await page.locator('h1').textContent()).toBe('审计日志');
      expect(await (await visible(page, 'audit-retention')).textContent()).toBe('审计事件永久保留。');
      await byTestId(page, 'audit-older').click();
      await expect.poll(async () => (await sentences()).length, { timeout: WAIT_MS }).toBeGreaterThan(50);
      const all = await sentences();
      expect(all).toContain('已拒绝：GET /api/cases（403，角色：审阅者）');
      expect(all).toContainEqual(
        expect.stringMatching(/^在案件“Acme v\. Foo”中对邮箱 desk@example\.com 设置法律保留（\d+ 个条目）$/),
      );
      const labels = await page.locator('[data-testid^="audit-action-"]').allTextContents();
      expect(labels).toContain('设置法律保留');
      expect(labels).toContain('请求被拒绝');
      const options = await byTestId(page, 'audit-filter-action').locator('option').allTextContents();
      expect(options).toContain('全部：法律保留');
    }));
});
