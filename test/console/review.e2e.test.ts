// Review by assignment, a case's own tags and closing a case, in a real browser against a real
// `serve` archiving a sandbox tenant. An eDiscovery administrator adds a custom tag to a case
// and assigns a Reviewer to one of its two review sets; the case cannot be closed while its
// custodian hold is active. The Reviewer sees only the assigned set on "My review", tags the hit
// with the custom tag, filters by it, opens its conversation, finds it by a search within the set
// and opens the item; the other set, the archive-wide search and the mailboxes are refused. Then
// the administrator retires the tag (it stays on the item, is no longer offered), releases the
// hold and closes the case, which leaves the active case list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  byTestId,
  openFromNav,
  login,
  logout,
  pageApi,
  PASSWORD,
  testIdsWithPrefix,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { HIT_MSGID, HIT_QUERY, ROOM } from '../helpers/search-archive.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';
import { startSandboxConsole, type SandboxConsole } from '../helpers/sandbox-console.js';

const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: PASSWORD };
const ED_ADMIN = 'eddie';
const REVIEWER = 'rita';
const CUSTOM_TAG = '重要线索';

let h: SandboxConsole | undefined;
let serve: ServeProcess;
let page: Page;
let caseId = 0;
let holdId = 0;
/** the set assigned to the reviewer, and one that is not */
let assignedSet = 0;
let otherSet = 0;
let roomTotal = 0;

beforeAll(async () => {
  h = await startSandboxConsole('review-e2e', 60, ADMIN);
  ({ serve, page } = h);
});

afterAll(async () => {
  await h?.close();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

const api = <T>(method: string, path: string, body?: unknown) => pageApi<T>(page, method, path, body);

describe('review by assignment in the browser', () => {
  it('an eDiscovery administrator adds a case tag and assigns a reviewer; closing is refused while a hold is active', () =>
    step(async () => {
      await login(page, ADMIN.username);
      await expect
        .poll(
          async () =>
            (await api<{ total: number }>('GET', `/api/search?q=${encodeURIComponent(HIT_QUERY)}`)).body?.total,
          {
            timeout: WAIT_MS,
            interval: 1000,
          },
        )
        .toBe(1);
      for (const [username, role] of [
        [ED_ADMIN, 'ediscovery-admin'],
        [REVIEWER, 'reviewer'],
      ] as const) {
        const res = await api('POST', '/api/users', {
          username,
          displayName: username,
          password: PASSWORD,
          roles: [role],
        });
        expect(res.status, username).toBe(201);
      }
      await logout(page);

      await login(page, ED_ADMIN);
      roomTotal = (await api<{ total: number }>('GET', `/api/search?q=${encodeURIComponent(`conversation:${ROOM}`)}`))
        .body.total;
      expect(roomTotal).toBeGreaterThan(1);
      // The case, its hold, its search and two review sets filled from it, through the API: the
      // case page's forms for these are the cases test's; this test is about what comes after.
      caseId = (await api<{ id: number }>('POST', '/api/cases', { name: 'Inquiry 2026' })).body.id;
      const mailbox = (await api<{ mailboxes: { address: string }[] }>('GET', '/api/mailboxes')).body.mailboxes[0]!
        .address;
      holdId = (await api<{ id: number }>('POST', `/api/cases/${caseId}/holds`, { custodian: mailbox })).body.id;
      const searchId = (
        await api<{ id: number }>('POST', `/api/cases/${caseId}/searches`, {
          name: 'room',
          query: `conversation:${ROOM}`,
        })
      ).body.id;
      for (const name of ['Assigned set', 'Other set']) {
        const id = (await api<{ id: number }>('POST', `/api/cases/${caseId}/review-sets`, { name })).body.id;
        await api('POST', `/api/cases/${caseId}/review-sets/${id}/items`, { searchId });
        if (name === 'Assigned set') assignedSet = id;
        else otherSet = id;
      }

      await page.goto(`/cases/${caseId}`);
      await visible(page, 'case-page');
      // A custom tag for this case.
      await byTestId(page, 'tag-name').fill(CUSTOM_TAG);
      await byTestId(page, 'tag-add').click();
      const row = await visible(page, `tag-row-${CUSTOM_TAG}`);
      expect(await byTestId(row, 'tag-state').getAttribute('data-state')).toBe('active');
      // The reviewer on one set only.
      await byTestId(page, `set-assignee-${assignedSet}`).fill(REVIEWER);
      await byTestId(page, `set-assign-${assignedSet}`).click();
      await expect
        .poll(() => byTestId(page, `set-reviewers-${assignedSet}`).getAttribute('data-reviewers'), { timeout: WAIT_MS })
        .toBe(REVIEWER);
      expect(await byTestId(page, `set-reviewers-${otherSet}`).getAttribute('data-reviewers')).toBe('');

      // Closing is refused while the custodian hold is active, with the reason shown.
      await byTestId(page, 'case-close').click();
      await byTestId(page, 'case-close-confirm').click();
      const section = await visible(page, 'case-status-section');
      const banner = await visible(section, 'error-banner');
      await expect.poll(() => banner.textContent(), { timeout: WAIT_MS }).toContain('Release them before closing');
      expect(await banner.textContent()).toContain(`#${holdId}`);
      expect(await byTestId(page, 'case-status').getAttribute('data-status')).toBe('active');
      await logout(page);
    }));

  it('the reviewer sees only the assigned set, tags with the case tag, filters by it and opens the conversation', () =>
    step(async () => {
      await login(page, REVIEWER);
      const nav = await testIdsWithPrefix(page, 'nav-');
      expect(nav).toContain('nav-review');
      expect(nav).not.toContain('nav-cases');
      // no archive-wide search or mailbox browsing: a Reviewer reaches only the work assigned
      expect(nav).not.toContain('nav-search');
      expect(nav).not.toContain('nav-mailboxes');
      await openFromNav(page, 'review');
      const table = await visible(page, 'my-review-table');
      await visible(table, `my-set-${assignedSet}`);
      expect(await testIdsWithPrefix(table, 'my-set-link-')).toEqual([`my-set-link-${assignedSet}`]);
      await byTestId(page, `my-set-link-${assignedSet}`).click();
      await visible(page, 'review-set-page');
      const panel = await visible(page, 'review-set-panel');
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe(String(roomTotal));

      // Tag the hit with the case's own tag, then show only that tag's items.
      const hitRow = await visible(panel, `review-item-${HIT_MSGID}`);
      await byTestId(hitRow, 'review-check').check();
      await byTestId(panel, 'review-tag').selectOption(CUSTOM_TAG);
      await byTestId(panel, 'review-apply-tag').click();
      await expect
        .poll(() => byTestId(hitRow, 'review-item-tags').getAttribute('data-tags'), { timeout: WAIT_MS })
        .toBe(CUSTOM_TAG);
      await byTestId(panel, 'review-filter').selectOption(CUSTOM_TAG);
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe('1');
      expect(await byTestId(panel, 'review-check').count()).toBe(1);

      // The conversation opens through the set, around the item.
      await byTestId(panel, 'review-conversation').click();
      const anchor = await visible(page, 'transcript-anchor');
      expect(await anchor.textContent()).toContain(HIT_QUERY);
      await byTestId(page, 'review-conversation-back').click();
      await visible(page, 'review-set-panel');

      // A search within the set finds the hit; from it, the conversation and the item itself
      // open (the item page offers no way into the mailbox). The archive's search is refused.
      await byTestId(page, 'set-search-input').fill(HIT_QUERY);
      await byTestId(page, 'set-search-run').click();
      await expect
        .poll(() => byTestId(page, 'set-search-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe('1');
      await byTestId(await visible(page, `set-hit-${HIT_MSGID}`), 'set-hit-conversation').click();
      const around = await visible(page, 'transcript-anchor');
      await around.locator('a.transcript-open').click();
      await visible(page, 'item-page');
      await expect.poll(() => byTestId(page, 'item-subject').count(), { timeout: WAIT_MS }).toBe(1);
      expect(await byTestId(page, 'item-back').count()).toBe(0);
      expect((await api('GET', `/api/search?q=${encodeURIComponent(HIT_QUERY)}`)).status).toBe(403);
      expect((await api('GET', '/api/mailboxes')).status).toBe(403);
      await page.goto(`/review/${assignedSet}`);
      await visible(page, 'review-set-panel');

      // The other set: refused by the API, and its page shows the refusal, not the set.
      expect((await api('GET', `/api/review-sets/${otherSet}/items`)).status).toBe(403);
      expect((await api('GET', `/api/cases/${caseId}`)).status).toBe(403);
      await page.goto(`/review/${otherSet}`);
      await visible(page, 'error-banner');
      expect(await byTestId(page, 'review-set-panel').count()).toBe(0);

      // My review reads in Chinese.
      await page.goto('/review');
      await visible(page, 'my-review-table');
      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      await expect.poll(() => byTestId(page, 'nav-review').textContent(), { timeout: WAIT_MS }).toBe('我的审阅');
      expect(await (await visible(page, 'my-review-page')).textContent()).toContain('指派给我的审阅集');
      await byTestId(page, 'lang-switch').selectOption('en');
      await logout(page);
    }));

  it('a retired tag stays on its item; after the hold is released the case closes and leaves the active list', () =>
    step(async () => {
      await login(page, ED_ADMIN);
      await page.goto(`/cases/${caseId}`);
      await visible(page, 'case-page');

      // Retiring the tag keeps it on the item the reviewer tagged, but no longer offers it.
      const tags = (await api<{ tags: { id?: number; name: string }[] }>('GET', `/api/cases/${caseId}/tags`)).body.tags;
      const tagId = tags.find((x) => x.name === CUSTOM_TAG)!.id!;
      await byTestId(page, `tag-retire-${tagId}`).click();
      const tagRow = await visible(page, `tag-row-${CUSTOM_TAG}`);
      await expect
        .poll(() => byTestId(tagRow, 'tag-state').getAttribute('data-state'), { timeout: WAIT_MS })
        .toBe('retired');
      await byTestId(page, `set-open-${assignedSet}`).click();
      const panel = await visible(page, 'review-set-panel');
      const offered = () =>
        byTestId(panel, 'review-tag')
          .locator('option')
          .evaluateAll((os) => os.map((o) => o.getAttribute('value')));
      expect(await offered()).not.toContain(CUSTOM_TAG);
      expect(await offered()).toContain('responsive');
      await byTestId(panel, 'review-filter').selectOption(CUSTOM_TAG);
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe('1');
      await visible(panel, `review-item-${HIT_MSGID}`);

      await byTestId(page, `hold-release-${holdId}`).click();
      await byTestId(page, `hold-release-confirm-${holdId}`).click();
      await expect
        .poll(() => byTestId(page, `hold-${holdId}`).locator('[data-status]').getAttribute('data-status'), {
          timeout: WAIT_MS,
        })
        .toBe('released');
      await byTestId(page, 'case-close').click();
      await byTestId(page, 'case-close-reason').fill('matter settled');
      await byTestId(page, 'case-close-confirm').click();
      await expect
        .poll(() => byTestId(page, 'case-status').getAttribute('data-status'), { timeout: WAIT_MS })
        .toBe('closed');
      await visible(page, 'case-closed-note');
      // read-only: the forms that change the case are gone
      expect(await byTestId(page, 'hold-place').count()).toBe(0);
      expect(await byTestId(page, 'tag-add').count()).toBe(0);

      await page.goto('/cases');
      await visible(page, 'cases-table');
      expect(await byTestId(page, `case-row-${caseId}`).count()).toBe(0);
      await byTestId(page, 'cases-status-filter').selectOption('closed');
      const row = await visible(page, `case-row-${caseId}`);
      expect(await byTestId(row, `case-status-${caseId}`).getAttribute('data-status')).toBe('closed');
    }));
});
