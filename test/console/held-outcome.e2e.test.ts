// A connector whose every record is held, as the console shows it in a real browser against a
// real `serve`: its run is "Held" in amber (not "Succeeded" in green), its lag says records are
// held (not "On time"), and its record counters match; in English and in Simplified Chinese.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import {
  byTestId,
  openFromNav,
  ensureConsoleBuilt,
  sharedBrowser,
  login,
  openPage,
  PASSWORD,
  setupAdminByApi,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { explainFailure, startServe, type ServeProcess } from '../helpers/serve-process.js';

interface ConnectorsCatalogue {
  runStatus: { held: string; succeeded: string };
  lag: { held: string; ok: string };
}
const catalogue = (lng: string) =>
  JSON.parse(
    readFileSync(new URL(`../../web/src/locales/${lng}/connectors.json`, import.meta.url), 'utf8'),
  ) as ConnectorsCatalogue;
const EN = catalogue('en');
const ZH = catalogue('zh-CN');

const MESSAGES = 25;
const ADMIN = { username: 'hana', displayName: 'Hana Admin', password: PASSWORD };

let dir: { path: string; cleanup: () => Promise<void> };
let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  dir = await tempDir('held-outcome');
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 17, messages: MESSAGES });
  const config = join(dir.path, 'config.json');
  // No mapping at all: every record is held as unmapped.
  await writeFile(
    config,
    JSON.stringify({
      connectors: [
        { id: 'unmapped', source: { kind: 'sandbox', dir: tenant }, mapping: { autoFromDirectoryEmail: false } },
      ],
    }),
  );
  await ensureConsoleBuilt();
  // One run only: later idle runs would be the newest in the history.
  [serve, browser] = await Promise.all([
    startServe({ args: ['--config', config], intervalSeconds: 3600 }),
    sharedBrowser(),
  ]);
  await setupAdminByApi(serve.url, serve.setupToken, ADMIN);
  ({ context, page } = await openPage(browser, serve.url));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await serve?.stop();
  await dir?.cleanup();
});

describe('a connector whose every record is held', () => {
  it('shows its run as Held and its lag as records held, in English and in Chinese', () =>
    explainFailure(serve, async () => {
      await login(page, ADMIN.username);
      await page.goto('/connectors/unmapped');
      await visible(page, 'connector-summary');
      const outcome = page.locator('[data-testid^="run-row-"] [data-outcome]').first();
      await outcome.waitFor({ timeout: WAIT_MS });
      // The first run may still be going: the page follows it live until it ends.
      await expect.poll(() => outcome.getAttribute('data-outcome'), { timeout: WAIT_MS }).toBe('held');
      expect(await outcome.getAttribute('data-status')).toBe('succeeded');
      expect(await outcome.textContent()).toBe(EN.runStatus.held);
      // Amber, like a warning: the badge's tone class is the warning one, not the ok one.
      const badge = outcome.locator('xpath=..');
      expect(await badge.getAttribute('class')).toMatch(/warning/);

      const lag = byTestId(page, 'lag-unmapped');
      await expect.poll(() => lag.getAttribute('data-level'), { timeout: WAIT_MS }).toBe('warning');
      expect(await lag.getAttribute('data-held')).toBe(String(MESSAGES));
      expect(await lag.textContent()).toContain(EN.lag.held);
      expect(await lag.textContent()).not.toContain(EN.lag.ok);
      expect(await byTestId(page, 'records-unmapped').textContent()).toContain(`${MESSAGES} at source · 0 archived`);

      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      await expect.poll(() => outcome.textContent(), { timeout: WAIT_MS }).toBe(ZH.runStatus.held);
      expect(await lag.textContent()).toContain(ZH.lag.held);
      await byTestId(page, 'lang-switch').selectOption('en');

      // The list shows the same outcome and lag.
      await openFromNav(page, 'connectors');
      const last = await visible(page, 'last-run-unmapped');
      expect(await last.locator('[data-outcome]').getAttribute('data-outcome')).toBe('held');
      expect(await byTestId(page, 'lag-unmapped').getAttribute('data-level')).toBe('warning');
    }));
});
