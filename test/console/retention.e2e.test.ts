// Retention in a real browser against a real `serve` archiving a sandbox tenant (its messages
// date from November 2026, so a one-day policy finds them expired): the administrator creates a
// policy on the page, locks it only after confirming, the dry run lists what would go, a review
// batch made by `retention run` is opened and approved by the Reviewer it names on their own
// disposition page, and the page reads in Chinese with the note that delivered copies are outside
// the archive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  byTestId,
  openFromNav,
  holdResponses,
  login,
  logout,
  pageApi,
  PASSWORD,
  testIdsWithPrefix,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { cli, cliJson } from '../helpers/cli.js';
import { startDemoConsole } from '../helpers/sandbox-console.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';

const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: PASSWORD };
const REVIEWER = 'rosa';

let ui: Awaited<ReturnType<typeof startDemoConsole>>;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  ui = await startDemoConsole(ADMIN);
  ({ serve, page } = ui);
}, 300_000);

afterAll(async () => ui?.close());

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

async function entries(): Promise<{ mailbox: string }[]> {
  const r = await cliJson<{ address: string; items: number }[]>('mailbox', 'list', '--data-dir', serve.dataDir);
  return r.filter((m) => m.items > 0).map((m) => ({ mailbox: m.address }));
}

describe('retention in the browser', () => {
  it('creates a policy, locks it after confirmation, and the dry run lists what would go', () =>
    step(async () => {
      await login(page, ADMIN.username);
      await expect.poll(async () => (await entries()).length, { timeout: WAIT_MS, interval: 1000 }).toBeGreaterThan(0);
      const [{ mailbox }] = (await entries()) as [{ mailbox: string }];
      // Held back, the batches keep the queue loading: it never says no batch waits before the
      // server has said so.
      const held = await holdResponses(page, '**/api/retention/batches');
      await openFromNav(page, 'retention');
      const retention = await visible(page, 'retention-page');
      await visible(page, 'loading');
      expect(await retention.textContent()).not.toContain('No batch waits for review.');
      await held.release();
      await visible(page, 'batch-table');
      expect(await retention.textContent()).toContain('No batch waits for review.');
      await visible(page, 'retention-outside-note');
      await (await visible(page, 'policy-name')).fill('Desk, one day');
      await byTestId(page, 'policy-value').fill('1');
      await byTestId(page, 'policy-unit').selectOption('days');
      await byTestId(page, 'policy-mailboxes').fill(mailbox);
      await byTestId(page, 'policy-create').click();
      await expect.poll(() => testIdsWithPrefix(page, 'lock-ret_'), { timeout: WAIT_MS }).toHaveLength(1);
      const [lockId] = await testIdsWithPrefix(page, 'lock-ret_');
      const id = lockId!.slice('lock-'.length);
      await byTestId(page, `lock-${id}`).click();
      // nothing is locked until the confirmation
      const listed = await cliJson<{ policies: { id: string; locked: boolean }[] }>(
        'retention',
        'list',
        '--data-dir',
        serve.dataDir,
      );
      expect(listed.policies.find((p) => p.id === id)?.locked).toBe(false);
      await byTestId(page, `lock-confirm-${id}`).click();
      await visible(page, `policy-locked-${id}`);
      const after = await cliJson<{ policies: { id: string; locked: boolean }[] }>(
        'retention',
        'list',
        '--data-dir',
        serve.dataDir,
      );
      expect(after.policies.find((p) => p.id === id)?.locked).toBe(true);

      await byTestId(page, 'dry-run').click();
      await visible(page, 'dry-run-counts');
      const rows = await byTestId(page, 'dry-run-table').locator('tbody tr').count();
      expect(rows).toBeGreaterThan(0);
      expect(await byTestId(page, 'dry-run-table').textContent()).toContain(mailbox);
    }));

  it('a Reviewer named by the policy opens and approves its batch on My disposition; the page reads in Chinese', () =>
    step(async () => {
      const created = await pageApi(page, 'POST', '/api/users', {
        username: REVIEWER,
        displayName: 'Rosa Reviewer',
        password: PASSWORD,
        roles: ['reviewer'],
      });
      expect(created.status).toBe(201);
      const add = await cli(
        'retention',
        'add',
        '--name',
        'Reviewed',
        '--days',
        '1',
        '--action',
        'review',
        '--reviewer',
        REVIEWER,
        '--data-dir',
        serve.dataDir,
      );
      expect(add.code).toBe(0);
      const run = await cliJson<{ waitingForReview: number }>('retention', 'run', '--data-dir', serve.dataDir);
      expect(run.waitingForReview).toBeGreaterThan(0);
      // The administrator's queue names the reviewer and offers no decision.
      await page.reload();
      const batchRows = async () => (await testIdsWithPrefix(page, 'batch-')).filter((x) => /^batch-\d+$/.test(x));
      await expect.poll(batchRows, { timeout: WAIT_MS }).toHaveLength(1);
      expect(await testIdsWithPrefix(page, 'approve-')).toHaveLength(0);
      await logout(page);

      await login(page, REVIEWER);
      const nav = await testIdsWithPrefix(page, 'nav-');
      expect(nav).toContain('nav-disposition');
      expect(nav).not.toContain('nav-retention');
      expect(nav).not.toContain('nav-mailboxes');
      await openFromNav(page, 'disposition');
      await visible(page, 'disposition-page');
      await expect.poll(() => testIdsWithPrefix(page, 'disposition-approve-'), { timeout: WAIT_MS }).toHaveLength(1);
      // An entry of the batch opens as an item; the reviewer's own batch is what they may open.
      const [firstItem] = await testIdsWithPrefix(page, 'disposition-item-');
      await byTestId(page, firstItem!).click();
      await visible(page, 'item-page');
      await expect.poll(() => byTestId(page, 'item-subject').count(), { timeout: WAIT_MS }).toBe(1);
      await page.goBack();
      await expect.poll(() => testIdsWithPrefix(page, 'disposition-approve-'), { timeout: WAIT_MS }).toHaveLength(1);
      const [approve] = await testIdsWithPrefix(page, 'disposition-approve-');
      await byTestId(page, approve!).click();
      await visible(page, 'disposition-empty');
      const done = await cliJson<{ deleted: number; waitingForReview: number }>(
        'retention',
        'run',
        '--data-dir',
        serve.dataDir,
      );
      expect(done.deleted).toBeGreaterThan(0);
      expect(done.waitingForReview).toBe(0);
      await logout(page);

      await login(page, ADMIN.username);
      await openFromNav(page, 'retention');
      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      expect(await (await visible(page, 'retention-outside-note')).textContent()).toContain('不受本系统控制');
    }));
});
