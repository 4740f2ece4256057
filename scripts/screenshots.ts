/**
 * Screenshots of the admin console for docs/console.md, in English and Simplified Chinese:
 * `npx tsx scripts/screenshots.ts`. It builds the console, starts `serve` on a fresh data
 * directory with the sandbox demo, makes the first administrator and a few accounts, creates a
 * second connector through the wizard (its mapping CSV leaves people unmapped, so the problems
 * page has something to show), waits for archived data, then saves a 1280x800 PNG of each main
 * page to docs/screenshots/<page>.<en|zh-CN>.png. Same helpers as the end-to-end tests.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ConnectorSummary, ItemPage, MailboxPage, Role, SessionInfo } from '../src/server/contract.js';
import { buildDirectory } from '../src/sources/sandbox/people.js';
import {
  buildConsole,
  byTestId,
  sharedBrowser,
  login,
  openPage,
  PASSWORD,
  setupAdminByApi,
  visible,
} from '../test/helpers/browser.js';
import { startServe, type ServeProcess } from '../test/helpers/serve-process.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const LANGUAGES = [
  { lng: 'en', locale: 'en-US' },
  { lng: 'zh-CN', locale: 'zh-CN' },
] as const;

const ADMIN = { username: 'admin', displayName: 'Wang Fang 王芳', password: PASSWORD };
const ACCOUNTS: { username: string; displayName: string; roles: Role[] }[] = [
  { username: 'li.na', displayName: 'Li Na 李娜', roles: ['connector-admin'] },
  { username: 'chen.jie', displayName: 'Chen Jie 陈杰', roles: ['ediscovery-manager', 'reviewer'] },
  { username: 'zhao.lei', displayName: 'Zhao Lei 赵磊', roles: ['auditor'] },
];
/** The demo connector serve makes when nothing is configured (src/cli/commands/serve.ts). */
const DEMO = 'sandbox';
const DESK = 'shanghai-desk';
/** The console's sandbox tenants are generated with seed 7 (src/server/connector-defs.ts). */
const PEOPLE = buildDirectory(7).people.filter((p) => p.kind === 'internal');

const mappingCsv = (withBadRow: boolean) =>
  [
    'userid,mailbox',
    ...PEOPLE.slice(0, 4).map((p) => `${p.id},${p.email ?? `${p.id}@example-bank.cn`}`),
    ...(withBadRow ? [`${PEOPLE[4]!.id},not-an-address`, ',nobody@example-bank.cn'] : []),
  ].join('\n') + '\n';

interface Api {
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
}

async function apiSession(base: string, username: string, password: string): Promise<Api> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as SessionInfo;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return {
    json: async <T>(method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return (r.status === 204 ? undefined : await r.json()) as T;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function shoot(page: Page, name: string, lng: string): Promise<void> {
  // Fonts and the last layout settle; the live event stream never lets the network go idle.
  await page.evaluate('document.fonts.ready');
  await page.waitForTimeout(400);
  const path = `${OUT}${name}.${lng}.png`;
  await page.screenshot({ path });
  process.stdout.write(`${path}\n`);
}

/** Walks the wizard to the mapping step with a CSV that has bad rows; returns on that step. */
async function wizardToMapping(page: Page, lng: string): Promise<void> {
  await byTestId(page, 'nav-connectors').click();
  await (await visible(page, 'new-connector')).click();
  await visible(page, 'terms-text');
  await shoot(page, 'wizard-terms', lng);
  await byTestId(page, 'terms-accept').check();
  await byTestId(page, 'wizard-next').click();
  await (await visible(page, 'connector-name')).fill(lng === 'en' ? 'Shanghai trading desk' : '上海交易台');
  await byTestId(page, 'connector-id').fill(DESK);
  await byTestId(page, 'source-kind-sandbox').check();
  await byTestId(page, 'sandbox-messages').fill('200');
  await byTestId(page, 'wizard-next').click();
  await (await visible(page, 'auto-mapping')).uncheck();
  await byTestId(page, 'csv-input').setInputFiles({
    name: 'mailboxes.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(mappingCsv(true)),
  });
  await visible(page, 'csv-problem');
  await shoot(page, 'wizard-mapping', lng);
}

/** Finishes the wizard from the mapping step with a clean CSV. */
async function finishWizard(page: Page): Promise<void> {
  await byTestId(page, 'csv-remove').click();
  await byTestId(page, 'csv-input').setInputFiles({
    name: 'mailboxes.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(mappingCsv(false)),
  });
  await page.locator('[data-testid="csv-preview"][data-errors="0"]').waitFor();
  await byTestId(page, 'wizard-next').click();
  await visible(page, 'destination-archive');
  await byTestId(page, 'wizard-next').click();
  await (await visible(page, 'interval-seconds')).fill('300');
  await byTestId(page, 'wizard-next').click();
  await visible(page, 'review');
  await byTestId(page, 'wizard-finish').click();
  await page.waitForURL(`**/connectors/${DESK}`);
}

async function pages(browser: Browser, serve: ServeProcess, lng: string, locale: string, api: Api) {
  const { context, page } = await openPage(browser, serve.url, { locale });
  try {
    await login(page, ADMIN.username);
    await wizardToMapping(page, lng);
    if (lng === 'en') {
      await finishWizard(page);
      await until('the new connector to hold unmapped people', async () => {
        const { connectors } = await api.json<{ connectors: ConnectorSummary[] }>('GET', '/api/connectors');
        const desk = connectors.find((c) => c.id === DESK);
        return desk?.lastRun && desk.totals.held > 0 ? desk : undefined;
      });
    }

    await byTestId(page, 'nav-connectors').click();
    await visible(page, `connector-row-${DESK}`);
    await visible(page, `last-run-${DEMO}`);
    await shoot(page, 'connectors', lng);

    await byTestId(page, `connector-link-${DEMO}`).click();
    await page.locator('[data-testid^="run-row-"]').first().waitFor();
    await shoot(page, 'connector', lng);

    await byTestId(page, 'nav-problems').click();
    await visible(page, 'problem-group-unmapped');
    await shoot(page, 'problems', lng);

    await byTestId(page, 'nav-mailboxes').click();
    await visible(page, 'mailboxes-table');
    await shoot(page, 'mailboxes', lng);

    const { mailboxes } = await api.json<MailboxPage>('GET', '/api/mailboxes?limit=50');
    const box = [...mailboxes].sort((a, b) => b.items - a.items)[0]!;
    const { items } = await api.json<ItemPage>(
      'GET',
      `/api/mailboxes/${encodeURIComponent(box.address)}/items?limit=50`,
    );
    const item = items.find((i) => i.msgType === 'image') ?? items.find((i) => i.msgType === 'text') ?? items[0]!;
    await byTestId(page, `mailbox-link-${box.address}`).click();
    await byTestId(page, `item-row-${item.itemKey}`).locator('a').first().click();
    await visible(page, 'item-subject');
    await page.frameLocator('[data-testid="item-frame"]').locator('body').waitFor();
    await shoot(page, 'item', lng);

    await byTestId(page, 'nav-search').click();
    await (await visible(page, 'search-query')).fill('保本 OR guarantee');
    await byTestId(page, 'search-submit').click();
    await visible(page, 'hit-0');
    await shoot(page, 'search', lng);

    await byTestId(page, 'hit-conversation-0').click();
    await visible(page, 'transcript-anchor');
    await shoot(page, 'conversation', lng);

    await byTestId(page, 'nav-audit').click();
    await visible(page, 'audit-table');
    await shoot(page, 'audit', lng);

    await byTestId(page, 'nav-users').click();
    await visible(page, `user-row-${ACCOUNTS[0]!.username}`);
    await shoot(page, 'users', lng);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  await buildConsole();
  const [serve, browser] = await Promise.all([startServe({ demo: true, intervalSeconds: 10 }), sharedBrowser()]);
  try {
    await setupAdminByApi(serve.url, serve.setupToken, ADMIN);
    const api = await apiSession(serve.url, ADMIN.username, ADMIN.password);
    for (const a of ACCOUNTS) await api.json('POST', '/api/users', { ...a, password: PASSWORD });
    await until('the demo connector to archive its first run', async () => {
      const { connectors } = await api.json<{ connectors: ConnectorSummary[] }>('GET', '/api/connectors');
      const demo = connectors.find((c) => c.id === DEMO);
      return demo?.lastRun && demo.totals.items > 0 ? demo : undefined;
    });
    for (const { lng, locale } of LANGUAGES) await pages(browser, serve, lng, locale, api);
  } catch (err) {
    process.stderr.write(`${serve.stderr()}\n`);
    throw err;
  } finally {
    await browser.close();
    await serve.stop();
  }
}

await main();
