// The Cases pages in a real browser against a real `serve` archiving a sandbox tenant: a case is
// created, a custodian held (the hold counts the custodian's items), a search saved with its
// counts and added to a review set, an item tagged responsive, the tag filter shows exactly that
// item, the item's conversation opens from the review set, the review set's responsive items are
// exported to RSMF from the page and downloaded as a zip whose manifest hashes every file and
// whose RSMF files validate against the 2.0.0 schema, and the page reads in Chinese.
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  byTestId,
  openFromNav,
  holdResponses,
  login,
  pageApi,
  PASSWORD,
  visible,
  WAIT_MS,
} from '../helpers/browser.js';
import { cliJson } from '../helpers/cli.js';
import { HIT_MSGID, HIT_QUERY, ROOM } from '../helpers/search-archive.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';
import { readRsmf, rsmfValidator } from '../helpers/rsmf-schema.js';
import { startSandboxConsole, type SandboxConsole } from '../helpers/sandbox-console.js';

const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: PASSWORD };

let h: SandboxConsole | undefined;
let serve: ServeProcess;
let page: Page;
/** The case the first test creates. */
let caseId = 0;

beforeAll(async () => {
  h = await startSandboxConsole('cases-e2e', 60, ADMIN);
  ({ serve, page } = h);
});

afterAll(async () => {
  await h?.close();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

/** A GET by the page's own session: its body, or null when refused. */
const apiGet = async <T>(path: string): Promise<T | null> => {
  const r = await pageApi<T>(page, 'GET', path);
  return r.status < 400 ? r.body : null;
};

const ROOM_QUERY = `conversation:${ROOM}`;

describe('cases in the browser', () => {
  it('creates a case, holds a custodian, saves a search, reviews and filters by tag', () =>
    step(async () => {
      await login(page, ADMIN.username);
      // The archive fills while `serve` runs: wait for the room and its hit to be searchable.
      await expect
        .poll(async () => (await apiGet<{ total: number }>(`/api/search?q=${encodeURIComponent(HIT_QUERY)}`))?.total, {
          timeout: WAIT_MS,
          interval: 1000,
        })
        .toBe(1);
      const roomTotal = (await apiGet<{ total: number }>(`/api/search?q=${encodeURIComponent(ROOM_QUERY)}`))!.total;
      expect(roomTotal).toBeGreaterThan(1);

      await openFromNav(page, 'cases');
      await visible(page, 'cases-table');
      await byTestId(page, 'case-name').fill('Regulator inquiry 2026');
      await byTestId(page, 'case-description').fill('监管问询');
      await byTestId(page, 'case-create').click();
      await visible(page, 'case-page');
      expect(await (await visible(page, 'case-status')).getAttribute('data-status')).toBe('active');
      await visible(page, `member-${ADMIN.username}`);

      // Hold a custodian: the hold's item count is that mailbox's.
      const mailboxes = (await apiGet<{ mailboxes: { address: string; items?: number }[] }>('/api/mailboxes'))!
        .mailboxes;
      const custodian = mailboxes[0]!.address;
      await byTestId(page, 'hold-kind').selectOption('custodian');
      await byTestId(page, 'hold-target').fill(custodian);
      await byTestId(page, 'hold-place').click();
      const holds = await visible(page, 'holds-table');
      await expect.poll(() => byTestId(holds, 'empty').count(), { timeout: WAIT_MS }).toBe(0);
      caseId = Number(new URL(page.url()).pathname.split('/').pop());
      const report = (await apiGet<{ holds: { id: number; items: number; custodian: string }[] }>(
        `/api/cases/${caseId}/holds`,
      ))!.holds;
      expect(report).toHaveLength(1);
      expect(report[0]!.items).toBeGreaterThan(0);
      const holdRow = await visible(page, `hold-${report[0]!.id}`);
      expect(await holdRow.textContent()).toContain(String(report[0]!.items));
      expect(await (await visible(page, 'case-custodians')).textContent()).toContain(custodian.toLowerCase());
      // The same custodian again: the page says which hold already covers it, and adds none.
      await byTestId(page, 'hold-target').fill(custodian.toUpperCase());
      await byTestId(page, 'hold-place').click();
      expect(await (await visible(page, 'hold-existing')).textContent()).toBe(
        `This case already has an active hold on ${custodian.toLowerCase()} (hold ${report[0]!.id}); nothing was added.`,
      );
      expect((await apiGet<{ holds: unknown[] }>(`/api/cases/${caseId}/holds`))!.holds).toHaveLength(1);

      // Save a search: its counts are the search's.
      await byTestId(page, 'search-name').fill('Room');
      await byTestId(page, 'search-query-input').fill(ROOM_QUERY);
      await byTestId(page, 'search-save').click();
      const savedSearches = async () =>
        (await apiGet<{ searches: { id: number }[] }>(`/api/cases/${caseId}/searches`))?.searches ?? [];
      await expect.poll(async () => (await savedSearches()).length, { timeout: WAIT_MS }).toBe(1);
      const searchId = (await savedSearches())[0]!.id;
      const counts = await visible(page, `search-counts-${searchId}`);
      expect(Number(await counts.getAttribute('data-items'))).toBe(roomTotal);

      // A review set, the search added to it.
      await byTestId(page, 'set-name').fill('First pass');
      await byTestId(page, 'set-create').click();
      await visible(page, `search-add-${searchId}`);
      await byTestId(page, `search-add-${searchId}`).click();
      expect(Number(await (await visible(page, `search-added-${searchId}`)).getAttribute('data-added'))).toBe(
        roomTotal,
      );
      const setId = (await apiGet<{ reviewSets: { id: number }[] }>(`/api/cases/${caseId}/review-sets`))!.reviewSets[0]!
        .id;
      await byTestId(page, `set-open-${setId}`).click();
      const panel = await visible(page, 'review-set-panel');
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe(String(roomTotal));

      // Tag the hit responsive.
      const hitRow = await visible(panel, `review-item-${HIT_MSGID}`);
      await byTestId(hitRow, 'review-check').check();
      await byTestId(panel, 'review-tag').selectOption('responsive');
      await byTestId(panel, 'review-apply-tag').click();
      await expect
        .poll(() => byTestId(hitRow, 'review-item-tags').getAttribute('data-tags'), { timeout: WAIT_MS })
        .toBe('responsive');

      // The tag filter shows exactly the tagged item; another tag shows none.
      await byTestId(panel, 'review-filter').selectOption('responsive');
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe('1');
      expect(await byTestId(panel, 'review-check').count()).toBe(1);
      await visible(panel, `review-item-${HIT_MSGID}`);
      await byTestId(panel, 'review-filter').selectOption('privileged');
      await expect
        .poll(() => byTestId(panel, 'review-total').getAttribute('data-total'), { timeout: WAIT_MS })
        .toBe('0');
      expect(await byTestId(panel, 'review-check').count()).toBe(0);
      await byTestId(panel, 'review-filter').selectOption('responsive');
      await visible(panel, `review-item-${HIT_MSGID}`);

      // A comment on the item stays with it.
      await byTestId(panel, 'review-comment-open').click();
      await byTestId(panel, 'review-comment-input').fill('见第 11 条');
      await byTestId(panel, 'review-comment-save').click();
      await expect
        .poll(() => byTestId(panel, 'review-comment').allTextContents(), { timeout: WAIT_MS })
        .toEqual([`${ADMIN.username} 见第 11 条`]);

      // The item's conversation opens around it.
      await byTestId(panel, 'review-conversation').click();
      const anchor = await visible(page, 'transcript-anchor');
      expect(await anchor.textContent()).toContain(HIT_QUERY);
    }));

  it('exports the responsive items of the review set to RSMF and downloads them', () =>
    step(async () => {
      await page.goto(`/cases/${caseId}`);
      await visible(page, 'exports-table');
      const setId = (await apiGet<{ reviewSets: { id: number }[] }>(`/api/cases/${caseId}/review-sets`))!.reviewSets[0]!
        .id;
      await byTestId(page, 'export-source').selectOption(`set:${setId}`);
      await byTestId(page, 'export-format').selectOption('rsmf');
      await byTestId(page, 'export-tag-responsive').check();
      await byTestId(page, 'export-start').click();
      const list = async () =>
        (await apiGet<{ exports: { id: string; status: string; manifestSha256: string }[] }>(
          `/api/cases/${caseId}/exports`,
        ))!.exports;
      await expect.poll(async () => (await list()).length, { timeout: WAIT_MS }).toBe(1);
      const job = (await list())[0]!;
      await expect
        .poll(() => byTestId(page, `export-status-${job.id}`).getAttribute('data-status'), { timeout: WAIT_MS })
        .toBe('done');
      const manifestSha256 = (await list())[0]!.manifestSha256;
      expect(await byTestId(page, `export-hash-${job.id}`).getAttribute('title')).toBe(manifestSha256);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        byTestId(page, `export-download-${job.id}`).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`export-${caseId}-${job.id}.zip`);
      // verified on the server: its files, the audit log's record of its manifest, the archive
      await byTestId(page, `export-verify-${job.id}`).click();
      const verification = await visible(page, 'export-verification');
      expect(await verification.locator('p').getAttribute('data-ok')).toBe('yes');
      expect(await verification.textContent()).toContain(`Export ${job.id} verified`);
      const zip = unzipSync(new Uint8Array(await readFile((await download.path())!)));
      const prefix = `export-${caseId}-${job.id}/`;
      const raw = zip[`${prefix}manifest.json`]!;
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      expect(sha(raw)).toBe(manifestSha256);
      const manifest = JSON.parse(Buffer.from(raw).toString('utf8')) as {
        format: string;
        files: { path: string; sha256: string }[];
        items: { msgid: string }[];
      };
      expect(manifest.format).toBe('rsmf');
      // the one item tagged responsive
      expect(manifest.items.map((i) => i.msgid)).toEqual([HIT_MSGID]);
      const rsmfs = manifest.files.filter((f) => f.path.endsWith('.rsmf'));
      expect(rsmfs).toHaveLength(1);
      const { validate, errors } = await rsmfValidator();
      for (const f of manifest.files) {
        const bytes = zip[`${prefix}${f.path}`]!;
        expect(sha(bytes), f.path).toBe(f.sha256);
      }
      for (const f of rsmfs) {
        const { manifest: rsmf } = await readRsmf(zip[`${prefix}${f.path}`]!);
        expect(validate(rsmf), `${f.path}: ${errors()}`).toBe(true);
        expect((rsmf as { events: { id: string }[] }).events.map((e) => e.id)).toEqual([HIT_MSGID]);
      }
    }));

  it('lists an export made on the server with the export command, apart, with its directory', () =>
    step(async () => {
      const setId = (await apiGet<{ reviewSets: { id: number }[] }>(`/api/cases/${caseId}/review-sets`))!.reviewSets[0]!
        .id;
      const dir = join(h!.dir.path, 'cli-export');
      const made = await cliJson<{ exportId: string; manifestSha256: string }>(
        ...['export', '--data-dir', serve.dataDir, '--case', String(caseId), '--review-set', String(setId)],
        ...['--format', 'eml', '--out', dir],
      );
      await page.goto(`/cases/${caseId}`);
      const row = await visible(page, `cli-export-${made.exportId}`);
      expect(await byTestId(page, `cli-export-status-${made.exportId}`).getAttribute('data-status')).toBe('done');
      expect(await byTestId(page, `export-hash-${made.exportId}`).getAttribute('title')).toBe(made.manifestSha256);
      expect(await row.textContent()).toContain(dir);
      // not downloadable from the console: its files are where the command wrote them
      expect(await row.locator('a').count()).toBe(0);
      expect(await (await visible(page, 'case-page')).textContent()).toContain(
        'Made with the export command on the server',
      );
      expect(await byTestId(page, `cli-export-gone-${made.exportId}`).count()).toBe(0);
      // its files moved away from the server (handed over): still listed, said to be gone
      await rename(dir, `${dir}-handed-over`);
      await page.reload();
      expect(await (await visible(page, `cli-export-gone-${made.exportId}`)).textContent()).toContain(
        'no longer there',
      );
      await rename(`${dir}-handed-over`, dir);

      // the same for a console export: said to be gone, with nothing to download or verify
      const job = (await apiGet<{ exports: { id: string }[] }>(`/api/cases/${caseId}/exports`))!.exports[0]!;
      const own = join(serve.dataDir, 'exports', String(caseId), job.id);
      expect(await byTestId(page, `export-download-${job.id}`).count()).toBe(1);
      expect(await byTestId(page, `export-gone-${job.id}`).count()).toBe(0);
      await rename(own, `${own}-handed-over`);
      try {
        await page.reload();
        expect(await (await visible(page, `export-gone-${job.id}`)).textContent()).toContain(
          "not in this console's data directory",
        );
        expect(await byTestId(page, `export-download-${job.id}`).count()).toBe(0);
        expect(await byTestId(page, `export-verify-${job.id}`).count()).toBe(0);
      } finally {
        await rename(`${own}-handed-over`, own);
      }
    }));

  it('reads in Chinese', () =>
    step(async () => {
      await page.goto('/cases');
      expect(await (await visible(page, `case-member-${caseId}`)).getAttribute('data-member')).toBe('yes');
      await byTestId(page, 'lang-switch').selectOption('zh-CN');
      expect(await (await visible(page, 'nav-cases')).textContent()).toBe('案件');
      // The exports' list is held back: until it arrives the page says it is loading, never
      // that the case has no exports.
      const held = await holdResponses(page, new RegExp(`/api/cases/${caseId}/exports$`));
      await byTestId(page, `case-link-${caseId}`).click();
      const casePage = await visible(page, 'case-page');
      await expect.poll(() => casePage.textContent(), { timeout: WAIT_MS }).toContain('法律保全');
      expect(await casePage.textContent()).toContain('已保存的搜索');
      expect(await casePage.textContent()).not.toContain('Legal holds');
      expect(await casePage.textContent()).not.toContain('尚无导出');
      expect(await byTestId(page, 'exports-table').count()).toBe(0);
      await held.release();
      expect(await (await visible(page, 'exports-table')).textContent()).toContain('已完成');
      expect(await (await visible(page, 'cli-exports-table')).textContent()).toContain('已完成');
      expect(await casePage.textContent()).toContain('在服务器上用 export 命令完成的导出');
      await byTestId(page, 'lang-switch').selectOption('en');
    }));
});
