// The mailbox routes on an archive made by the real pipeline from a sandbox tenant: pages and
// their keysets, 404 through the wrong mailbox, audit of every opening, the body's CSP, and
// attachments byte for byte equal to the media blobs the pipeline stored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig, type Config } from '../../config/index.js';
import { runConnector } from '../../pipeline/index.js';
import { generateTenant } from '../../sources/sandbox/index.js';
import { ARCHIVE_FOLDER, sha256Hex, type Store } from '../../store/index.js';
import type { AuditInput, ServerContext } from '../context.js';
import type { ItemPage, ItemView, MailboxPage, SessionUser } from '../contract.js';
import { sendError, toApiError } from '../errors.js';
import { BODY_CSP, contentDisposition, mailboxRoutes } from './mailboxes.js';
import { SOURCES } from '../../sources/index.js';
import { describeDialects } from '../../../test/helpers/dialects.js';

const USER: SessionUser = { id: 1, username: 'rita', displayName: 'Rita', roles: ['reviewer'], permissions: [] };

describeDialects('mailbox routes', (t) => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  const audit = vi.fn<(event: AuditInput) => void>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-mailbox-routes-'));
    const tenant = join(dir, 'tenant');
    await generateTenant({ outDir: tenant, seed: 5, messages: 300 });
    const config: Config = parseConfig(
      {
        dataDir: join(dir, 'data'),
        workers: 0,
        connectors: [{ id: 'corp', source: { kind: 'sandbox', dir: tenant } }],
      },
      'test',
      dir,
    );
    store = await t.openStore(config.dataDir);
    const report = await runConnector(store, config.connectors[0]!, { sources: SOURCES, workers: 0 });
    expect(report.archived).toBeGreaterThan(200);

    app = Fastify({ routerOptions: { maxParamLength: 1000 } });
    app.addHook('onRequest', async (req) => {
      req.user = USER;
    });
    app.setErrorHandler((err, _req, reply) => {
      const { status, body } = toApiError(err);
      return sendError(reply, status, body);
    });
    const ctx: ServerContext = {
      store,
      config,
      now: () => 1_700_000_000_000,
      audit: async (req, event) => {
        expect(req.user).toBe(USER);
        audit(event);
      },
    };
    await app.register(async (api) => mailboxRoutes(api, ctx), { prefix: '/api' });
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => audit.mockClear());

  async function getJson<T>(url: string, status = 200): Promise<T> {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(status);
    return res.json<T>();
  }

  const enc = encodeURIComponent;

  /** The largest mailbox and its entry count straight from the table. */
  async function biggestMailbox(): Promise<{ mailbox: string; n: number }> {
    const row = await store.db
      .selectFrom('mailbox_entries')
      .select((eb) => ['mailbox', eb.fn.countAll<number>().as('n')])
      .where('folder', '=', ARCHIVE_FOLDER)
      .groupBy('mailbox')
      .orderBy('n', 'desc')
      .executeTakeFirstOrThrow();
    return { mailbox: row.mailbox, n: Number(row.n) };
  }

  describe('GET /api/mailboxes', () => {
    it('pages through every mailbox in address order with counts from the entries', async () => {
      const all = await store.db.selectFrom('mailboxes').select('address').orderBy('address').execute();
      expect(all.length).toBeGreaterThan(3);
      const seen: MailboxPage['mailboxes'] = [];
      let after: string | null = null;
      do {
        const page: MailboxPage = await getJson(`/api/mailboxes?limit=2${after ? `&after=${enc(after)}` : ''}`);
        expect(page.mailboxes.length).toBeLessThanOrEqual(2);
        seen.push(...page.mailboxes);
        after = page.next;
      } while (after);
      expect(seen.map((m) => m.address)).toEqual(all.map((m) => m.address));
      const { mailbox, n } = await biggestMailbox();
      const big = seen.find((m) => m.address === mailbox)!;
      expect(big.items).toBe(n);
      const newest = await store.db
        .selectFrom('mailbox_entries')
        .select((eb) => eb.fn.max('msg_time').as('t'))
        .where('mailbox', '=', mailbox)
        .executeTakeFirstOrThrow();
      expect(big.newest).toBe(Number(newest.t));
    });

    it('filters by a case-insensitive address prefix', async () => {
      const { mailbox } = await biggestMailbox();
      const prefix = mailbox.slice(0, 3).toUpperCase();
      const page = await getJson<MailboxPage>(`/api/mailboxes?q=${enc(prefix)}&limit=200`);
      expect(page.mailboxes.length).toBeGreaterThan(0);
      expect(page.mailboxes.every((m) => m.address.startsWith(prefix.toLowerCase()))).toBe(true);
      expect(page.mailboxes.map((m) => m.address)).toContain(mailbox);
      expect(page.next).toBeNull();
    });

    it('refuses a limit above 200', async () => {
      const err = await getJson<{ code: string }>('/api/mailboxes?limit=201', 400);
      expect(err.code).toMatch(/^WXA_/);
    });
  });

  describe('GET /api/mailboxes/:address/items', () => {
    it('pages newest first without overlap or gap, with the rendered Subject of each item', async () => {
      const { mailbox, n } = await biggestMailbox();
      const keys: string[] = [];
      const times: number[] = [];
      let before: string | null = null;
      let first: ItemPage | undefined;
      do {
        const page: ItemPage = await getJson(
          `/api/mailboxes/${enc(mailbox)}/items?limit=7${before ? `&before=${before}` : ''}`,
        );
        first ??= page;
        keys.push(...page.items.map((i) => i.itemKey));
        times.push(...page.items.map((i) => i.msgTime));
        before = page.next;
      } while (before);
      expect(first!.mailbox.address).toBe(mailbox);
      expect(first!.mailbox.items).toBe(n);
      expect(keys).toHaveLength(n);
      expect(new Set(keys).size).toBe(n);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const stored = await store.db
        .selectFrom('mailbox_entries')
        .select('item_key')
        .where('mailbox', '=', mailbox)
        .execute();
      expect(new Set(keys)).toEqual(new Set(stored.map((r) => r.item_key)));

      // The list's Subject is the one in the stored message.
      for (const row of first!.items.slice(0, 5)) {
        const view = await getJson<ItemView>(`/api/mailboxes/${enc(mailbox)}/items/${enc(row.itemKey)}`);
        expect(row.subject).toBe(view.subject);
        expect(row.subject).toMatch(/^\[WeChat\] /);
        expect(view.from.startsWith(row.from)).toBe(true);
      }
    });

    it('answers 404 WXA_NOT_FOUND for an unknown mailbox and 400 for a forged cursor', async () => {
      const err = await getJson<{ code: string }>(`/api/mailboxes/${enc('nobody@example.com')}/items`, 404);
      expect(err.code).toBe('WXA_NOT_FOUND');
      const { mailbox } = await biggestMailbox();
      const bad = Buffer.from('not-a-cursor').toString('base64url');
      await getJson(`/api/mailboxes/${enc(mailbox)}/items?before=${bad}`, 400);
    });
  });

  /** An item with an attachment, a mailbox that holds it and one that does not. */
  async function itemWithAttachment(): Promise<{ key: string; holder: string; other: string; media: string }> {
    const rows = await store.db
      .selectFrom('mailbox_entries as e')
      .innerJoin('items as i', 'i.key', 'e.item_key')
      .innerJoin('media as m', (j) => j.on('m.status', '=', 'ok'))
      .select(['e.item_key', 'e.mailbox', 'i.model_json', 'i.msgtype'])
      .where('i.msgtype', '=', 'file')
      .limit(50)
      .execute();
    for (const r of rows) {
      const model = JSON.parse(r.model_json) as { attachments: { sdkfileid: string }[] };
      const sdkfileid = model.attachments[0]?.sdkfileid;
      if (!sdkfileid) continue;
      const media = await store.db
        .selectFrom('media')
        .select('sha256')
        .where('sdkfileid', '=', sdkfileid)
        .where('status', '=', 'ok')
        .executeTakeFirst();
      if (!media?.sha256) continue;
      const other = await store.db
        .selectFrom('mailboxes')
        .select('address')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('mailbox_entries')
                .select('id')
                .whereRef('mailbox_entries.mailbox', '=', 'mailboxes.address')
                .where('item_key', '=', r.item_key),
            ),
          ),
        )
        .executeTakeFirstOrThrow();
      return { key: r.item_key, holder: r.mailbox, other: other.address, media: media.sha256 };
    }
    throw new Error('the tenant has no archived file message');
  }

  describe('one item', () => {
    it('shows an item through a mailbox that holds it, and audits the view', async () => {
      const { key, holder } = await itemWithAttachment();
      const view = await getJson<ItemView>(`/api/mailboxes/${enc(holder)}/items/${enc(key)}`);
      const entry = await store.db
        .selectFrom('mailbox_entries')
        .select(['mime_sha256', 'msg_time'])
        .where('mailbox', '=', holder)
        .where('item_key', '=', key)
        .executeTakeFirstOrThrow();
      expect(view).toMatchObject({ itemKey: key, mailbox: holder, msgType: 'file', sha256: entry.mime_sha256 });
      expect(view.date).toBe(Number(entry.msg_time));
      expect(view.size).toBe((await store.blobs.read(store.db, entry.mime_sha256)).length);
      expect(view.to.length).toBeGreaterThan(0);
      expect(view.htmlUrl).toBe(`/api/mailboxes/${enc(holder)}/items/${enc(key)}/html`);
      expect(view.attachments).toHaveLength(1);
      expect(view.attachments[0]!.url).toBe(`/api/mailboxes/${enc(holder)}/items/${enc(key)}/attachments/0`);
      expect(audit).toHaveBeenCalledExactlyOnceWith({
        action: 'item.view',
        target: `${holder}/${key}`,
        detail: { sha256: entry.mime_sha256 },
      });
    });

    it('answers 404 for an item opened through a mailbox that does not hold it, and audits nothing', async () => {
      const { key, other } = await itemWithAttachment();
      for (const suffix of ['', '/html', '/attachments/0']) {
        const err = await getJson<{ code: string }>(`/api/mailboxes/${enc(other)}/items/${enc(key)}${suffix}`, 404);
        expect(err.code).toBe('WXA_NOT_FOUND');
      }
      expect(audit).not.toHaveBeenCalled();
    });

    it('serves the body as HTML under the strict CSP, without scripts', async () => {
      const { key, holder } = await itemWithAttachment();
      const res = await app.inject({ method: 'GET', url: `/api/mailboxes/${enc(holder)}/items/${enc(key)}/html` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(BODY_CSP);
      expect(res.headers['content-security-policy']).toContain('sandbox');
      // The console frames the body; no other site may (clickjacking a reader into a download).
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.body).toContain('<h1');
      expect(res.body).not.toMatch(/<script/i);
    });

    it('sends an attachment byte for byte equal to the media blob, and audits it with its SHA-256', async () => {
      const { key, holder, media } = await itemWithAttachment();
      const view = await getJson<ItemView>(`/api/mailboxes/${enc(holder)}/items/${enc(key)}`);
      audit.mockClear();
      const res = await app.inject({ method: 'GET', url: view.attachments[0]!.url });
      expect(res.statusCode).toBe(200);
      expect(sha256Hex(res.rawPayload)).toBe(media);
      expect(res.rawPayload.length).toBe(view.attachments[0]!.size);
      expect(res.headers['content-type']).toBe(view.attachments[0]!.contentType);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+"; filename\*=UTF-8''/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(audit).toHaveBeenCalledExactlyOnceWith({
        action: 'item.attachment',
        target: `${holder}/${key}`,
        detail: { index: 0, sha256: media, filename: view.attachments[0]!.filename },
      });
      await getJson(`/api/mailboxes/${enc(holder)}/items/${enc(key)}/attachments/1`, 404);
    });
  });

  describe('contentDisposition', () => {
    it('neutralises bidi and control characters in both filename and filename*', () => {
      // "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf": an executable dressed as a PDF.
      const spoof = 'invoice\u202Efdp.exe';
      const header = contentDisposition(spoof);
      expect(header).toBe(`attachment; filename="invoice_fdp.exe"; filename*=UTF-8''invoice_fdp.exe`);
      const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c];
      for (const cp of bidi) {
        const h = contentDisposition(`a${String.fromCodePoint(cp)}b.txt`);
        expect(decodeURIComponent(h.split("filename*=UTF-8''")[1]!), cp.toString(16)).toBe('a_b.txt');
      }
      expect(contentDisposition('line\r\nbreak.txt')).toBe(
        `attachment; filename="line__break.txt"; filename*=UTF-8''line__break.txt`,
      );
      // Ordinary non-ASCII names keep their exact form in filename*.
      expect(contentDisposition('报告.pdf')).toBe(
        `attachment; filename="__.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`,
      );
    });
  });
});
