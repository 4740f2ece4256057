// Roles and languages as a user meets them in the browser, against a real `serve` process:
// accounts made on the Users page, an auditor who sees only the audit log and the integrity page and gets a forbidden
// notice (not data) elsewhere, a connector admin without audit or users, and the language switch
// (Simplified Chinese, <html lang>, kept after a reload) next to a browser that starts in Chinese.
// Which route needs which permission is tested per route through the API (api-access.test.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../src/server/contract.js';
import {
  byTestId,
  openFromNav,
  ensureConsoleBuilt,
  sharedBrowser,
  login,
  logout,
  openPage,
  PASSWORD,
  setupAdminByApi,
  testIdsWithPrefix,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { explainFailure, startServe, type ServeProcess } from '../helpers/serve-process.js';

interface CommonCatalogue {
  nav: { connectors: string };
  login: { submit: string };
}
const catalogue = (lng: string) =>
  JSON.parse(
    readFileSync(new URL(`../../web/src/locales/${lng}/common.json`, import.meta.url), 'utf8'),
  ) as CommonCatalogue;
const EN = catalogue('en');
const ZH = catalogue('zh-CN');

const ADMIN = { username: 'olga', displayName: 'Olga Org-Admin', password: PASSWORD };

let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [serve, browser] = await Promise.all([startServe(), sharedBrowser()]);
  await setupAdminByApi(serve.url, serve.setupToken, ADMIN);
  ({ context, page } = await openPage(browser, serve.url));
});

afterAll(async () => {
  await context?.close();
  await serve?.stop();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

async function createUser(username: string, role: Role): Promise<void> {
  await (await visible(page, 'user-create-username')).fill(username);
  await byTestId(page, 'user-create-display-name').fill(`${username} (${role})`);
  await byTestId(page, 'user-create-password').fill(PASSWORD);
  await byTestId(page, `user-create-role-${role}`).check();
  await byTestId(page, 'user-create-submit').click();
  const notice = await visible(page, 'user-created');
  await expect.poll(() => notice.textContent(), { timeout: WAIT_MS }).toContain(username);
  expect(await (await visible(page, `user-roles-${username}`)).getAttribute('data-roles')).toBe(role);
}

/** The pages the navigation offers, as nav-<page> test ids. */
const nav = async () => (await testIdsWithPrefix(page, 'nav-')).sort();

describe('roles in the browser', () => {
  it('creates an auditor and a connector admin on the Users page', () =>
    step(async () => {
      await login(page, ADMIN.username);
      expect(await nav()).toEqual([
        'nav-audit',
        'nav-cases',
        'nav-connectors',
        'nav-disposition',
        'nav-integrity',
        'nav-mailboxes',
        'nav-problems',
        'nav-retention',
        'nav-review',
        'nav-search',
        'nav-supervision',
        'nav-users',
      ]);
      await openFromNav(page, 'users');
      await visible(page, 'users-table');
      await createUser('audrey', 'auditor');
      await createUser('connie', 'connector-admin');
      await logout(page);
    }));

  it('shows an auditor the audit log and the integrity page only, and no data elsewhere', () =>
    step(async () => {
      await login(page, 'audrey');
      expect(await nav()).toEqual(['nav-audit', 'nav-integrity']);
      // Home is the first page the user may see.
      await page.waitForURL('**/audit');
      await visible(page, 'audit-table');
      for (const path of [
        '/connectors',
        '/problems',
        '/mailboxes',
        '/search',
        '/supervision',
        '/cases',
        '/review',
        '/disposition',
        '/users',
      ]) {
        await page.goto(path);
        await visible(page, 'forbidden');
        for (const data of [
          'connectors-table',
          'connectors-page',
          'problems-page',
          'mailboxes-table',
          'search-page',
          'supervision-page',
          'cases-page',
          'my-review-page',
          'disposition-page',
          'users-table',
        ]) {
          expect(await byTestId(page, data).count(), `${path} shows ${data}`).toBe(0);
        }
      }
      await logout(page);
    }));

  it('shows a connector admin neither the audit log nor the users', () =>
    step(async () => {
      await login(page, 'connie');
      const pages = await nav();
      expect(pages).toContain('nav-connectors');
      expect(pages).toContain('nav-problems');
      expect(pages).not.toContain('nav-audit');
      expect(pages).not.toContain('nav-users');
      expect(pages).not.toContain('nav-search');
      await visible(page, 'connectors-table');
      for (const path of ['/audit', '/users']) {
        await page.goto(path);
        await visible(page, 'forbidden');
        expect(await byTestId(page, 'audit-table').count()).toBe(0);
        expect(await byTestId(page, 'users-table').count()).toBe(0);
      }
      await logout(page);
    }));
});

describe('language', () => {
  it('switches to Simplified Chinese and keeps it after a reload', () =>
    step(async () => {
      expect(ZH.nav.connectors).not.toBe(EN.nav.connectors);
      await login(page, ADMIN.username);
      const link = await visible(page, 'nav-connectors');
      expect(await link.textContent()).toBe(EN.nav.connectors);
      expect(await page.getAttribute('html', 'lang')).toBe('en');

      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      await expect.poll(() => link.textContent(), { timeout: WAIT_MS }).toBe(ZH.nav.connectors);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');

      await page.reload();
      expect(await (await visible(page, 'nav-connectors')).textContent()).toBe(ZH.nav.connectors);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await byTestId(page, 'lang-switch').inputValue()).toBe('zh-CN');

      // And back: the choice is the user's, not a one-way door.
      await byTestId(page, 'lang-switch').selectOption('en');
      await expect
        .poll(() => byTestId(page, 'nav-connectors').textContent(), { timeout: WAIT_MS })
        .toBe(EN.nav.connectors);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
    }));

  it('starts in Chinese in a browser whose language is Chinese', () =>
    step(async () => {
      const zh = await openPage(browser, serve.url, { locale: 'zh-CN' });
      try {
        await zh.page.goto('/');
        const submit = await visible(zh.page, 'login-submit');
        expect(await submit.textContent()).toBe(ZH.login.submit);
        expect(await zh.page.getAttribute('html', 'lang')).toBe('zh-CN');
        await login(zh.page, ADMIN.username);
        expect(await (await visible(zh.page, 'nav-connectors')).textContent()).toBe(ZH.nav.connectors);
      } finally {
        await zh.context.close();
      }
    }));
});
