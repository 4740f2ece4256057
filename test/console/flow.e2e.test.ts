// The console's main path in a real browser against a real `serve` process: the first
// administrator from the one-time token, the whole wizard for a sandbox connector (a mapping CSV
// with bad rows refused line by line, then a good one), live progress without a reload, a
// mapping added from the problems page releasing held items into a new mailbox, an item opened
// with its rendered HTML, and the audit log showing who did all that. api-flow.test.ts walks the
// same path through the API; this file checks that the console's pages do it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ItemPage } from '../../src/server/contract.js';
import { buildDirectory } from '../../src/sources/sandbox/people.js';
import {
  byTestId,
  openFromNav,
  ensureConsoleBuilt,
  fillSetup,
  gone,
  sharedBrowser,
  openPage,
  PASSWORD,
  testIdsWithPrefix,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { explainFailure, startServe, type ServeProcess } from '../helpers/serve-process.js';

/** The seed of a console sandbox connector's tenant (ensureSandbox in src/connectors/definitions.ts). */
const SANDBOX_SEED = 7;
const MESSAGES = 200;
const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: PASSWORD };
const CONNECTOR = 'acme';
/** A real employee of the generated tenant, mapped by the uploaded CSV. */
const CSV_PERSON = buildDirectory(SANDBOX_SEED).people.find((p) => p.kind === 'internal')!.id;
const CSV_MAILBOX = 'csv.mapped@example.com';
const PROBLEMS_MAILBOX = 'desk.lead@example.com';

let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** Filled by one test, used by the next: they walk one path in order. */
const found = { participant: '', heldItems: 0, itemKey: '' };

beforeAll(async () => {
  await ensureConsoleBuilt();
  [serve, browser] = await Promise.all([startServe(), sharedBrowser()]);
  ({ context, page } = await openPage(browser, serve.url));
});

afterAll(async () => {
  await context?.close();
  await serve?.stop();
});

/** Runs a test step; a failure carries the end of what the service printed. */
const withServeLog = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

describe('console in the browser', () => {
  it('creates the first administrator at /setup with the one-time token', () =>
    withServeLog(async () => {
      await page.goto('/');
      await page.waitForURL('**/setup');
      await fillSetup(page, 'not-the-token', ADMIN);
      const banner = await visible(page, 'error-banner');
      expect((await banner.textContent())?.trim()).toBeTruthy();
      expect(new URL(page.url()).pathname).toBe('/setup');
      expect(await byTestId(page, 'user-name').count()).toBe(0);

      await byTestId(page, 'setup-token').fill(serve.setupToken);
      await byTestId(page, 'setup-submit').click();
      const user = await visible(page, 'user-name');
      expect(await user.textContent()).toBe(ADMIN.displayName);
      await page.waitForURL('**/connectors');
      await visible(page, 'nav-users');
    }));

  it('creates a sandbox connector through the whole wizard', () =>
    withServeLog(async () => {
      await (await visible(page, 'new-connector')).click();
      await page.waitForURL('**/connectors/new');

      // Terms: Next stays off until they are accepted.
      expect(await (await visible(page, 'terms-text')).textContent()).not.toBe('');
      const next = byTestId(page, 'wizard-next');
      expect(await next.isDisabled()).toBe(true);
      await byTestId(page, 'terms-accept').check();
      expect(await next.isEnabled()).toBe(true);
      await next.click();

      // Source: the sandbox, tested before saving.
      await visible(page, 'connector-name');
      await byTestId(page, 'connector-name').fill('ACME trading desk');
      await byTestId(page, 'connector-id').fill(CONNECTOR);
      await byTestId(page, 'source-kind-sandbox').check();
      await byTestId(page, 'sandbox-messages').fill(String(MESSAGES));
      await byTestId(page, 'test-connection').click();
      const check = await visible(page, 'check-result');
      expect(await check.getAttribute('data-ok')).toBe('true');
      const lines = byTestId(check, 'check-line');
      expect(await lines.count()).toBeGreaterThan(0);
      expect(await lines.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-ok')))).not.toContain('false');
      await next.click();

      // Mapping: automatic mapping off; a CSV with bad rows names each bad line and blocks Next.
      await visible(page, 'auto-mapping');
      await byTestId(page, 'auto-mapping').uncheck();
      const bad = `userid,mailbox\n${CSV_PERSON},${CSV_MAILBOX}\nhuangyang,not-an-address\n,nobody@example.com\n`;
      await byTestId(page, 'csv-input').setInputFiles({
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(bad),
      });
      const preview = await visible(page, 'csv-preview');
      expect(await preview.getAttribute('data-errors')).toBe('2');
      const problems = byTestId(page, 'csv-problem').and(page.locator('[data-severity="error"]'));
      const problemLines = await problems.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-line')));
      expect(problemLines).toEqual(['3', '4']);
      for (const [i, line] of problemLines.entries()) {
        expect(await problems.nth(i).textContent()).toContain(line);
      }
      expect(await next.isDisabled()).toBe(true);
      await visible(page, 'wizard-issues');

      // More problems than are listed: the first 20 of the kind shown, every one counted.
      await byTestId(page, 'csv-remove').click();
      await gone(page, 'csv-preview');
      const many = `userid,mailbox\n${Array.from({ length: 25 }, (_, i) => `p${i},not-an-address`).join('\n')}\n`;
      await byTestId(page, 'csv-input').setInputFiles({
        name: 'many.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(many),
      });
      const manyPreview = await visible(page, 'csv-preview');
      expect(await manyPreview.getAttribute('data-errors')).toBe('25');
      expect(await byTestId(page, 'csv-problem').count()).toBe(20);
      expect(await byTestId(page, 'csv-problems-unlisted').textContent()).toMatch(/20 of 25/);

      await byTestId(page, 'csv-remove').click();
      await gone(page, 'csv-preview');
      await byTestId(page, 'csv-input').setInputFiles({
        name: 'mapping.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`userid,mailbox\n${CSV_PERSON},${CSV_MAILBOX}\n`),
      });
      await page.locator('[data-testid="csv-preview"][data-errors="0"]').waitFor({ timeout: WAIT_MS });
      const rows = byTestId(page, 'csv-row');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(CSV_PERSON);
      expect(await rows.first().textContent()).toContain(CSV_MAILBOX);
      expect(await byTestId(page, 'csv-problem').count()).toBe(0);
      expect(await next.isEnabled()).toBe(true);
      await next.click();

      // Destinations: the embedded archive only.
      await visible(page, 'destination-archive');
      await next.click();

      // Schedule: every 5 seconds.
      await byTestId(page, 'interval-seconds').fill('5');
      await visible(page, 'interval-readable');
      await next.click();

      // Review, then Finish lands on the new connector's page.
      const review = await visible(page, 'review');
      const summary = await review.textContent();
      expect(summary).toContain(CONNECTOR);
      expect(summary).toContain('mapping.csv');
      await byTestId(page, 'wizard-finish').click();
      await page.waitForURL(`**/connectors/${CONNECTOR}`);
      await visible(page, 'connector-summary');
      expect(await byTestId(page, 'connector-page').textContent()).toContain('ACME trading desk');
      // The connector runs at once: its first run appears in the history.
      await page.locator('[data-testid^="run-row-"]').first().waitFor({ timeout: WAIT_MS });
    }));

  it('shows live progress on the connectors tab without reloading the page', () =>
    withServeLog(async () => {
      await openFromNav(page, 'connectors');
      await visible(page, `connector-row-${CONNECTOR}`);
      const url = page.url();
      // A marker that a reload or a navigation would wipe, and a record of every change the
      // page makes to the connector's state, progress and next-run time (all come from events).
      await page.evaluate(`(() => {
        const snap = () => {
          const q = (id) => document.querySelector('[data-testid="' + id + '"]');
          const p = q('progress-${CONNECTOR}');
          const s = q('connector-state-${CONNECTOR}')?.querySelector('[data-state]');
          return [p?.getAttribute('data-phase'), p?.getAttribute('data-processed'),
            s?.getAttribute('data-state'), q('next-run-${CONNECTOR}')?.getAttribute('title')].join('|');
        };
        window.__e2eMarker = 'still here';
        window.__e2eSeen = [snap()];
        new MutationObserver(() => {
          const now = snap();
          if (window.__e2eSeen[window.__e2eSeen.length - 1] !== now) window.__e2eSeen.push(now);
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      })()`);
      const seen = () => page.evaluate('window.__e2eSeen') as Promise<string[]>;
      // Runs come every 5 s; a change of state, progress or next run time means events arrived.
      await expect.poll(async () => (await seen()).length, { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(1);
      const states = (await seen()).map((s) => s.split('|'));
      expect(states.some(([phase, , state]) => state === 'running' || (phase !== 'none' && phase !== ''))).toBe(true);
      expect(await page.evaluate('window.__e2eMarker')).toBe('still here');
      expect(page.url()).toBe(url);
      expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    }));

  it('maps an unmapped person from the problems page and delivers their held items', () =>
    withServeLog(async () => {
      await openFromNav(page, 'problems');
      const group = await visible(page, 'problem-group-unmapped');
      expect(Number(await group.getAttribute('data-count'))).toBeGreaterThan(0);
      expect(Number((await byTestId(page, 'problem-count-unmapped').textContent())?.replace(/\D/g, ''))).toBe(
        Number(await group.getAttribute('data-count')),
      );
      const rows = await testIdsWithPrefix(page, 'unmapped-row-');
      expect(rows.length).toBeGreaterThan(0);
      // The person mapped by the CSV holds nothing back.
      expect(rows).not.toContain(`unmapped-row-${CSV_PERSON}`);
      found.participant = rows[0]!.slice('unmapped-row-'.length);
      const row = byTestId(page, rows[0]!);
      found.heldItems = Number((await row.locator('td.num').first().textContent())?.replace(/\D/g, ''));
      expect(found.heldItems).toBeGreaterThan(0);

      await byTestId(page, `unmapped-mailbox-${found.participant}`).fill(PROBLEMS_MAILBOX);
      await byTestId(page, `unmapped-add-${found.participant}`).click();
      const added = await visible(page, 'unmapped-added');
      expect(await added.textContent()).toContain(PROBLEMS_MAILBOX);
      await gone(page, `unmapped-row-${found.participant}`);

      // The mapping triggers a run; the new mailbox fills when it has archived the released items.
      await openFromNav(page, 'mailboxes');
      await visible(page, 'mailboxes-page');
      const items = async () => {
        const boxRow = byTestId(page, `mailbox-row-${PROBLEMS_MAILBOX}`);
        if ((await boxRow.count()) === 0) {
          await page.reload();
          await byTestId(page, 'mailboxes-table').waitFor({ timeout: WAIT_MS });
          return 0;
        }
        return Number((await boxRow.locator('td.num').first().textContent())?.replace(/\D/g, ''));
      };
      await expect.poll(items, { timeout: WAIT_MS, interval: 1000 }).toBe(found.heldItems);
      // The CSV's mapping delivered too.
      expect(await byTestId(page, `mailbox-row-${CSV_MAILBOX}`).count()).toBe(1);
    }));

  it('opens an item of that mailbox with its rendered HTML', () =>
    withServeLog(async () => {
      await byTestId(page, `mailbox-link-${PROBLEMS_MAILBOX}`).click();
      await visible(page, 'items-table');
      // Prefer an item with an attachment, so the attachment list is checked too.
      const listing = await page.request.get(`/api/mailboxes/${encodeURIComponent(PROBLEMS_MAILBOX)}/items?limit=50`);
      const { items } = (await listing.json()) as ItemPage;
      const withFile = items.find((i) => ['file', 'image', 'voice', 'video'].includes(i.msgType));
      const chosen = withFile ?? items[0]!;
      found.itemKey = chosen.itemKey;
      await byTestId(page, `item-row-${chosen.itemKey}`).locator('a').first().click();

      const subject = await visible(page, 'item-subject');
      const shown = (await subject.textContent())?.trim() ?? '';
      if (chosen.subject.trim()) expect(shown).toBe(chosen.subject.trim());
      else expect(shown.length).toBeGreaterThan(0);
      expect(await (await visible(page, 'item-sha256')).textContent()).toMatch(/^[0-9a-f]{64}$/);
      const frame = await visible(page, 'item-frame');
      expect(await frame.getAttribute('sandbox')).toBe('');
      const body = page.frameLocator('[data-testid="item-frame"]').locator('body');
      await expect
        .poll(async () => (await body.textContent())?.trim().length ?? 0, { timeout: WAIT_MS })
        .toBeGreaterThan(0);
      // The frame holds the item's body, not the browser's "refused to connect" page: the body
      // route lets the console's own pages frame it (frame-ancestors 'self'), nobody else.
      expect(page.frames().map((f) => f.url())).toContainEqual(expect.stringMatching(/\/items\/[^/]+\/html$/));
      expect(page.frames().map((f) => f.url())).not.toContainEqual(expect.stringMatching(/^chrome-error:/));
      if (withFile) {
        await visible(page, 'attachment-0');
        expect(await byTestId(page, 'attachment-0').getAttribute('href')).toContain('/attachments/0');
      } else {
        await visible(page, 'attachments-empty');
      }
    }));

  it('shows the item view, connector creation and mapping in the audit log', () =>
    withServeLog(async () => {
      await openFromNav(page, 'audit');
      await visible(page, 'audit-page');
      // Each row's action code and target (data attributes of the action column), its actor (the
      // actor cell's title) and all its text, the opened details included.
      const rows = () =>
        page.locator('[data-testid^="audit-row-"]').evaluateAll((trs) =>
          trs.map((tr) => {
            const a = tr.querySelector('[data-action]');
            return {
              action: a?.getAttribute('data-action') ?? '',
              target: a?.getAttribute('data-target') ?? '',
              actor: tr.querySelector('td:nth-child(2) [title]')?.getAttribute('title') ?? '',
              text: tr.textContent ?? '',
            };
          }),
        );
      /** Chooses the action filter and returns the rows once they are the filtered ones. */
      const search = async (action: string) => {
        const matches = (a: string) => (action.endsWith('.*') ? a.startsWith(action.slice(0, -1)) : a === action);
        await byTestId(page, 'audit-filter-action').selectOption(action);
        await byTestId(page, 'audit-apply').click();
        await page.waitForURL((u) => u.searchParams.get('action') === action);
        // The previous search's rows stay on screen until the new answer replaces them.
        await expect
          .poll(
            async () => {
              const shown = await rows();
              return shown.length > 0 && shown.every((r) => matches(r.action));
            },
            { timeout: WAIT_MS },
          )
          .toBe(true);
        return rows();
      };
      const items = await search('item.*');
      const view = items.find((r) => r.action === 'item.view' && r.target.endsWith(found.itemKey));
      expect(view, JSON.stringify(items)).toBeDefined();
      expect(view!.actor).toBe(ADMIN.username);

      const created = await search('connector.create');
      expect(created.some((r) => r.actor === ADMIN.username && r.target === CONNECTOR)).toBe(true);
      const mapped = await search('mapping.add');
      expect(mapped.some((r) => r.actor === ADMIN.username && r.text.includes(PROBLEMS_MAILBOX))).toBe(true);
    }));
});
