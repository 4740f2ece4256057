// The Integrity page in a real browser against a real `serve` archiving a sandbox tenant: an
// auditor finds it in the navigation, sees the checkpoint serve signed, verifies the archive
// (passed, and kept for the next visit), downloads the evidence package as a zip (refused with
// the way out, Verify now, until a verification exists), and reads the same page in Simplified
// Chinese.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { byTestId, openFromNav, login, PASSWORD, testIdsWithPrefix, visible, WAIT_MS } from '../helpers/browser.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';
import { startSandboxConsole, type SandboxConsole } from '../helpers/sandbox-console.js';

interface IntegrityCatalogue {
  title: string;
  verification: { passed: string };
  evidencePackage: { refused: Record<string, string> };
}
const catalogue = (lng: string) =>
  JSON.parse(
    readFileSync(new URL(`../../web/src/locales/${lng}/integrity.json`, import.meta.url), 'utf8'),
  ) as IntegrityCatalogue;
const EN = catalogue('en');
const ZH = catalogue('zh-CN');

const ADMIN = { username: 'olga', displayName: 'Olga Org-Admin', password: PASSWORD };

let h: SandboxConsole | undefined;
let serve: ServeProcess;
let page: Page;

/** Makes the auditor through the API as the administrator (accounts are another test's subject). */
async function createAuditor(): Promise<void> {
  const s = await fetch(`${serve.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  const { csrfToken } = (await s.json()) as { csrfToken: string };
  const cookie = /wxa_session=[^;]+/.exec(s.headers.get('set-cookie') ?? '')![0];
  const r = await fetch(`${serve.url}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ username: 'audrey', displayName: 'Audrey Auditor', password: PASSWORD, roles: ['auditor'] }),
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  h = await startSandboxConsole('integrity-e2e', 20, ADMIN);
  ({ serve, page } = h);
  await createAuditor();
});

afterAll(async () => {
  await h?.close();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

/** The checkpoint number the page shows, after reloading it (serve signs the first one within 30 s). */
async function shownCheckpoint(): Promise<string | null> {
  await page.reload();
  await visible(page, 'integrity-page');
  const cp = byTestId(page, 'integrity-checkpoint');
  return (await cp.count()) ? cp.getAttribute('data-number') : null;
}

describe('the Integrity page in the browser', () => {
  it('shows an auditor the checkpoint and a passed verification, and gives the evidence package', () =>
    step(async () => {
      await login(page, 'audrey');
      expect((await testIdsWithPrefix(page, 'nav-')).sort()).toEqual(['nav-audit', 'nav-integrity']);
      await openFromNav(page, 'integrity');
      await page.waitForURL('**/integrity');
      await expect.poll(shownCheckpoint, { timeout: WAIT_MS + 30_000, interval: 3000 }).toBe('1');
      expect(await (await visible(page, 'integrity-ingest-head')).textContent()).toMatch(/^[0-9a-f]{64} /);

      // No verification yet: the package is refused, saying why, and verifying is offered there.
      const evidence = byTestId(page, 'integrity-evidence-state');
      expect(await evidence.getAttribute('data-ready')).toBe('false');
      expect(await evidence.getAttribute('data-reason')).toBe('never-verified');
      expect(await evidence.locator('p').textContent()).toBe(EN.evidencePackage.refused['never-verified']);
      expect(await byTestId(page, 'integrity-evidence').isDisabled()).toBe(true);

      await byTestId(page, 'integrity-evidence-verify').click();
      const verification = byTestId(page, 'integrity-verification');
      await expect.poll(() => verification.getAttribute('data-ok'), { timeout: WAIT_MS }).toBe('true');
      expect(await byTestId(page, 'integrity-verification-status').textContent()).toBe(EN.verification.passed);
      expect(await byTestId(page, 'integrity-first-broken').count()).toBe(0);
      await expect.poll(() => evidence.getAttribute('data-ready'), { timeout: WAIT_MS }).toBe('true');
      expect(await evidence.getAttribute('data-verification')).toMatch(/^\d+$/);

      // The package link downloads a zip (fetched by the page's own session).
      const href = await byTestId(page, 'integrity-evidence').getAttribute('href');
      const zip = await page.evaluate(async (url) => {
        const r = await fetch(url);
        const bytes = new Uint8Array(await r.arrayBuffer());
        return {
          status: r.status,
          type: r.headers.get('content-type'),
          magic: String.fromCharCode(bytes[0]!, bytes[1]!),
        };
      }, href!);
      expect(zip).toEqual({ status: 200, type: 'application/zip', magic: 'PK' });
    }));

  it('reads the same page in Simplified Chinese, the verification kept from before', () =>
    step(async () => {
      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      await page.reload();
      expect(await (await visible(page, 'integrity-page')).locator('h1').textContent()).toBe(ZH.title);
      expect(await (await visible(page, 'integrity-verification-status')).textContent()).toBe(ZH.verification.passed);
      expect(await byTestId(page, 'integrity-checkpoint').getAttribute('data-number')).toBe('1');
      expect(await byTestId(page, 'nav-integrity').textContent()).toBe('完整性');
      expect(EN.title).not.toBe(ZH.title);
    }));
});
