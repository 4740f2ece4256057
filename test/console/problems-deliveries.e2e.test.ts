// The problems page in the browser, in English and in Simplified Chinese: each attachment left
// out of a partial delivery with its reason (too large, blocked file type), and deliveries
// paused by a mail service's limit, for every mailbox of a destination or for one mailbox.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { deferDeliveries, finishDelivery, openStore } from '../../src/store/index.js';
import {
  ensureConsoleBuilt,
  sharedBrowser,
  login,
  openPage,
  PASSWORD,
  setupAdminByApi,
  visible,
} from '../helpers/browser.js';
import { queueDelivery } from '../helpers/deliveries.js';
import { explainFailure, startServe, type ServeProcess } from '../helpers/serve-process.js';

interface ProblemsCatalogue {
  partial: { title: string; why: { 'too-large': string; 'blocked-type': string } };
  paused: { title: string; everyMailbox: string; why: { destination: string; mailbox: string } };
}
const catalogue = (lng: string) =>
  JSON.parse(
    readFileSync(new URL(`../../web/src/locales/${lng}/problems.json`, import.meta.url), 'utf8'),
  ) as ProblemsCatalogue;

const ADMIN = { username: 'pia', displayName: 'Pia Org-Admin', password: PASSWORD };
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [serve, browser] = await Promise.all([startServe(), sharedBrowser()]);
  await setupAdminByApi(serve.url, serve.setupToken, ADMIN);
  const store = await openStore(serve.dataDir);
  try {
    const id = await queueDelivery(store, {
      connectorId: 'acme',
      destinationId: 'gmail',
      itemKey: 'wecom:acme:m1',
      mailbox: 'zhang.wei@example.com',
      createdAt: Date.now(),
    });
    await finishDelivery(
      store.db,
      id,
      {
        status: 'partial',
        detail: 'two attachments left out',
        omitted: [
          { name: 'wechat-mod.apk', size: 1200, sha256: 'a'.repeat(64), reason: 'blocked-type' },
          { name: 'site-visit.mp4', size: 62_914_560, sha256: 'b'.repeat(64), reason: 'too-large' },
        ],
      },
      Date.now(),
    );
    for (const [destinationId, mailbox] of [
      ['gmail', 'li.si@example.com'],
      ['graph', 'wang.fang@example.com'],
    ] as const) {
      await queueDelivery(store, { connectorId: 'acme', destinationId, itemKey: 'wecom:acme:m2', mailbox });
    }
    const until = Date.now() + 6 * 3600_000;
    await deferDeliveries(store.db, {
      destinationId: 'gmail',
      until,
      code: 'WXA_DEST_PAUSED_DESTINATION',
      detail: 'rateLimitExceeded',
    });
    await deferDeliveries(store.db, {
      destinationId: 'graph',
      mailbox: 'wang.fang@example.com',
      until,
      code: 'WXA_DEST_PAUSED_MAILBOX',
      detail: 'upload volume',
    });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await serve?.stop();
});

describe('problems page: partial and paused deliveries', () => {
  for (const [locale, lng] of [
    ['en-US', 'en'],
    ['zh-CN', 'zh-CN'],
  ] as const) {
    it(`lists each left-out attachment with its reason and each pause with its scope (${lng})`, () =>
      explainFailure(serve, async () => {
        const text = catalogue(lng);
        const { context, page } = await openPage(browser, serve.url, { locale });
        try {
          await login(page, ADMIN.username);
          await page.goto('/problems');
          const partial = await visible(page, 'partial-deliveries');
          const blocked = await visible(partial, 'partial-blocked-type');
          expect(await blocked.textContent()).toContain('wechat-mod.apk');
          expect(await blocked.textContent()).toContain(text.partial.why['blocked-type']);
          const large = await visible(partial, 'partial-too-large');
          expect(await large.textContent()).toContain('site-visit.mp4');
          expect(await large.textContent()).toContain(text.partial.why['too-large']);
          const paused = await visible(page, 'paused-deliveries');
          const whole = await visible(paused, 'paused-destination');
          expect(await whole.textContent()).toContain(text.paused.everyMailbox);
          expect(await whole.textContent()).toContain(text.paused.why.destination);
          const one = await visible(paused, 'paused-mailbox');
          expect(await one.textContent()).toContain('wang.fang@example.com');
          expect(await one.textContent()).toContain(text.paused.why.mailbox);
          expect(await page.textContent('body')).toContain(text.partial.title);
        } finally {
          await context.close();
        }
      }));
  }
});
