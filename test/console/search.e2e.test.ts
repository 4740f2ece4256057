// Search in a real browser against a real `serve` archiving a sandbox tenant: a Chinese query
// typed into the Search page finds the hit with exactly the query highlighted, the conversation
// opens around it with the hit marked and the messages before and after it, pages further back,
// shows the PNG preview inline, an item opened from there links back to its conversation, and a
// query that does not parse is marked where it breaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { byTestId, openFromNav, login, PASSWORD, visible, WAIT_MS } from '../helpers/browser.js';
import { HIT_QUERY, ROOM } from '../helpers/search-archive.js';
import { explainFailure, type ServeProcess } from '../helpers/serve-process.js';
import { startSandboxConsole, type SandboxConsole } from '../helpers/sandbox-console.js';

const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: PASSWORD };

let h: SandboxConsole | undefined;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  h = await startSandboxConsole('search-e2e', 60, ADMIN);
  ({ serve, page } = h);
});

afterAll(async () => {
  await h?.close();
});

const step = <T>(fn: () => Promise<T>) => explainFailure(serve, fn);

/** Hits of a search made by the page's own session (the archive fills while `serve` runs). */
const totalOf = (q: string) =>
  page.evaluate(async (query) => {
    const res = await fetch(`/api/search?q=${encodeURIComponent(query)}`);
    return res.ok ? ((await res.json()) as { total: number }).total : -1;
  }, q);

describe('search in the browser', () => {
  it('finds a Chinese query typed on the Search page and highlights exactly it', () =>
    step(async () => {
      await login(page, ADMIN.username);
      await expect.poll(() => totalOf(HIT_QUERY), { timeout: WAIT_MS, interval: 1000 }).toBe(1);
      await openFromNav(page, 'search');
      await (await visible(page, 'search-query')).fill(HIT_QUERY);
      await byTestId(page, 'search-submit').click();
      const hit = await visible(page, 'hit-0');
      expect(await byTestId(page, 'hit-1').count()).toBe(0);
      expect(await byTestId(hit, 'hit-mark').allTextContents()).toEqual([HIT_QUERY]);
      expect(await (await visible(page, 'search-total')).getAttribute('data-total')).toBe('1');
      expect(decodeURIComponent(new URL(page.url()).searchParams.get('q') ?? '')).toBe(HIT_QUERY);
    }));

  it('opens the conversation around the hit, marked, with messages before and after it', () =>
    step(async () => {
      const itemKey = await byTestId(page, 'hit-0').getAttribute('data-item-key');
      await byTestId(page, 'hit-conversation-0').click();
      const anchor = await visible(page, 'transcript-anchor');
      expect(await anchor.getAttribute('data-item-key')).toBe(itemKey);
      expect(await anchor.textContent()).toContain(HIT_QUERY);
      const order = await page
        .locator('[data-testid="transcript"] > li')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      const at = order.indexOf('transcript-anchor');
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(order.length - 1);
      expect(await (await visible(page, 'conversation-page')).textContent()).toContain(ROOM);
    }));

  it('pages on to the newest message and shows the start, the recall and the image preview inline', () =>
    step(async () => {
      const before = await page.locator('[data-testid="transcript"] > li').count();
      // Clicked on the element itself: the transcript's image previews load (or hide when
      // refused) around this moment, and a mouse click at coordinates taken just before such a
      // shift lands beside the button (a lost click, seen once under load).
      await (await visible(page, 'conversation-newer')).dispatchEvent('click');
      await expect
        .poll(() => page.locator('[data-testid="transcript"] > li').count(), { timeout: WAIT_MS })
        .toBeGreaterThan(before);
      await visible(page, 'conversation-end');
      // The PNG of the room is shown; the "photo" whose bytes are HTML is refused and hidden.
      const img = page.locator('img[data-testid="transcript-preview"]');
      await img.first().scrollIntoViewIfNeeded();
      await expect
        .poll(() => img.evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth)), {
          timeout: WAIT_MS,
        })
        .toContain(4);
      await visible(page, 'transcript-recalled');
      await visible(page, 'transcript-recall');
      await visible(page, 'conversation-start');
    }));

  it('opens an item from the transcript with its image previewed, and its conversation again from there', () =>
    step(async () => {
      const png = page.locator('[data-testid="transcript"] > li[data-item-key$=":room-png"]');
      const key = await png.getAttribute('data-item-key');
      await png.locator('a.transcript-open').click();
      await visible(page, 'item-subject');
      const preview = await visible(page, 'attachment-preview-0');
      await expect
        .poll(() => preview.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth), {
          timeout: WAIT_MS,
        })
        .toBe(4);
      await byTestId(page, 'item-conversation').click();
      expect(await (await visible(page, 'transcript-anchor')).getAttribute('data-item-key')).toBe(key);
    }));

  it('marks where a query stops making sense', () =>
    step(async () => {
      await page.goto(`/search?q=${encodeURIComponent(`${HIT_QUERY} (合同`)}`);
      const problem = await visible(page, 'search-query-error');
      expect(await problem.textContent()).toMatch(/\)/);
      expect(await byTestId(page, 'hit-0').count()).toBe(0);
    }));
});
