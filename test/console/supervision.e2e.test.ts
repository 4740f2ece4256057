// The Supervision page in Debian's Chromium against a real `serve` archiving its sandbox demo:
// an admin writes a policy's lexicon in the editor, applies it to the history and watches the
// job finish, then claims a flagged item from the review queue and tags it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { byTestId, holdResponses, login, PASSWORD, visible, WAIT_MS } from '../helpers/browser.js';
import { startDemoConsole } from '../helpers/sandbox-console.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';

let ui: Awaited<ReturnType<typeof startDemoConsole>>;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  ui = await startDemoConsole({ username: 'olga', displayName: 'Olga', password: PASSWORD });
  ({ serve, page } = ui);
}, 180_000);

afterAll(async () => ui?.close());

describe('Supervision page', () => {
  it('writes a lexicon, applies it to the history, and reviews a flagged item', async () => {
    await explainFailure(serve, async () => {
      await login(page, 'olga');
      // Held back, the report keeps the page loading: it never says there is no policy before
      // the server has said so.
      const held = await holdResponses(page, '**/api/supervision/report');
      await (await visible(page, 'nav-supervision')).click();
      const supervision = await visible(page, 'supervision-page');
      await visible(page, 'loading');
      expect(await supervision.textContent()).not.toContain('No supervision policy yet');
      await held.release();
      await expect.poll(() => supervision.textContent(), { timeout: WAIT_MS }).toContain('No supervision policy yet');
      await page.getByRole('button', { name: 'New policy' }).click();
      await (await visible(page, 'policy-name')).fill('Promises');
      await byTestId(page, 'policy-lexicon').fill('# promised returns\n保本保收益\n加我私人微信\n');
      await byTestId(page, 'policy-save').click();
      await expect.poll(() => page.getByText('1 Promises').count(), { timeout: WAIT_MS }).toBe(1);
      // The demo archives in the background: wait until it has archived something to flag.
      await expect
        .poll(
          async () => {
            await byTestId(page, 'apply-1').click();
            const progress = await visible(page, 'apply-progress-1');
            await expect.poll(() => progress.textContent(), { timeout: WAIT_MS }).toMatch(/^Applied to/);
            return page.getByRole('button', { name: 'Review' }).count();
          },
          { timeout: WAIT_MS, interval: 2000 },
        )
        .toBeGreaterThan(0);
      const queue = await visible(page, 'supervision-queue');
      expect(await queue.textContent()).toMatch(/保本保收益|加我私人微信/);
      await queue.getByRole('button', { name: 'Review' }).first().click();
      await queue.getByRole('button', { name: 'Claim' }).click();
      await expect.poll(() => queue.textContent(), { timeout: WAIT_MS }).toContain('olga');
      await queue.getByRole('button', { name: 'Questionable' }).click();
      await expect.poll(() => queue.textContent(), { timeout: WAIT_MS }).toContain('Claimed · Questionable');
    });
  }, 240_000);
});
