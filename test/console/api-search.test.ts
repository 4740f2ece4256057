// Search, the conversation view and image previews through the real app (auth hook, audit log,
// store) on an archive made and indexed by the real pipeline: who may search, every search
// audited with its query and result count, a bad query answered with its position, paging, a
// page around a hit and paging both ways to both ends without gaps or repeats, recalls shown as
// such, and previews served only for bytes that are really PNG/JPEG/GIF/WebP/BMP, never SVG/HTML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnector } from '../../src/pipeline/index.js';
import { can, ROLES } from '../../src/security/index.js';
import type { ConversationPage, SearchPage } from '../../src/server/contract.js';
import { tempDir } from '../helpers/cli.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import {
  DOCX_WORDS,
  HIT_MSGID,
  HIT_QUERY,
  PDF_WORD,
  RECALLED_MSGID,
  ROOM,
  ROOM_MESSAGES,
  ROOM_TEXTS,
  writeSearchTenant,
} from '../helpers/search-archive.js';
import { SOURCES } from '../../src/sources/index.js';

let h: ConsoleHarness;
let dir: { path: string; cleanup: () => Promise<void> };
/** reads the whole archive (mailboxes:read and search) */
let reader: Client;
let hitKey: string;

beforeAll(async () => {
  dir = await tempDir('conversation');
  const tenant = await writeSearchTenant(dir.path);
  h = await startConsole({
    config: {
      workers: 0,
      connectors: [{ id: 'corp', source: { kind: 'sandbox', dir: tenant }, mapping: { catchAll: 'desk@example.com' } }],
    },
  });
  const report = await runConnector(h.store, h.config.connectors[0]!, { sources: SOURCES, workers: 0 });
  expect(report.archived).toBeGreaterThan(100);
  reader = await userWith(h, 'mia', ['ediscovery-manager']);
  const row = await h.store.db
    .selectFrom('items')
    .select('key')
    .where('msgid', '=', HIT_MSGID)
    .executeTakeFirstOrThrow();
  hitKey = row.key;
}, 180_000);

afterAll(async () => {
  await h?.close();
  await dir?.cleanup();
});

const enc = encodeURIComponent;

/** The room's item keys in (time, key) order, straight from the table. */
async function roomKeys(): Promise<string[]> {
  const rows = await h.store.db
    .selectFrom('items')
    .select('key')
    .where('conversation_id', '=', ROOM)
    .orderBy('msg_time')
    .orderBy('key')
    .execute();
  return rows.map((r) => r.key);
}

async function auditOf(action: string) {
  return h.store.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id', 'desc').execute();
}

describe('search API', () => {
  it('lets exactly the roles with the search permission search', async () => {
    for (const role of ROLES) {
      const c = await userWith(h, `u-${role}`, [role]);
      const res = await c.request('GET', `/api/search?q=${enc(HIT_QUERY)}`);
      expect(res.statusCode, role).toBe(can([role], 'search') ? 200 : 403);
    }
    expect(can(['ediscovery-manager'], 'search')).toBe(true);
    // a Reviewer searches only within a review set assigned to them (api-reviewer-scope.test.ts)
    expect(can(['reviewer'], 'search')).toBe(false);
    expect(can(['auditor'], 'search')).toBe(false);
  });

  it('finds the hit with the query highlighted, and audits the query with the number of results', async () => {
    const page = await reader.json<SearchPage>('GET', `/api/search?q=${enc(HIT_QUERY)}`);
    expect(page.total).toBe(1);
    const [hit] = page.items;
    expect(hit?.itemKey).toBe(hitKey);
    expect(hit?.conversation.id).toBe(ROOM);
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual([HIT_QUERY]);
    const [event] = await auditOf('search');
    expect(event?.actor).toBe('mia');
    expect(JSON.parse(event?.detail_json ?? '{}')).toEqual({ q: HIT_QUERY, sort: 'newest', results: 1 });
  });

  it('pages through every hit once, newest first, and audits the search once', async () => {
    const before = (await auditOf('search')).length;
    const q = `讨论季度计划 conversation:${ROOM}`;
    const keys: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    let total = -1;
    do {
      const url: string = `/api/search?q=${enc(q)}&limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const page: SearchPage = await reader.json<SearchPage>('GET', url);
      total = page.total;
      expect(page.items.length).toBeLessThanOrEqual(5);
      keys.push(...page.items.map((i) => i.itemKey));
      times.push(...page.items.map((i) => i.time));
      cursor = page.next;
    } while (cursor);
    expect(total).toBe(ROOM_TEXTS - 1);
    expect(new Set(keys).size).toBe(ROOM_TEXTS - 1);
    expect(times).toEqual([...times].sort().reverse());
    expect((await auditOf('search')).length).toBe(before + 1);
  });

  it('finds Word and PDF attachments by the words inside them, extracted while archiving', async () => {
    for (const [q, msgid] of [
      [DOCX_WORDS[0], 'room-docx'],
      [DOCX_WORDS[1], 'room-docx'],
      [PDF_WORD, 'room-pdf'],
    ] as const) {
      const page = await reader.json<SearchPage>('GET', `/api/search?q=${enc(q)}`);
      expect(
        page.items.map((i) => i.msgid),
        q,
      ).toEqual([msgid]);
      expect(page.items[0]?.hasAttachments).toBe(true);
    }
  });

  it('answers a query that does not parse with 400, the position and what was expected, and audits it', async () => {
    const q = `${HIT_QUERY} "unclosed`;
    const res = await reader.request('GET', `/api/search?q=${enc(q)}`);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; position: number; expected: string; fields: { path: string }[] }>();
    expect(body.code).toBe('WXA_SEARCH_QUERY_INVALID');
    expect(body.position).toBe(q.length);
    expect(body.expected).toMatch(/closing "/);
    expect(body.fields[0]?.path).toBe('q');
    const [event] = await auditOf('search');
    expect(JSON.parse(event?.detail_json ?? '{}')).toMatchObject({ q });
    const empty = await reader.request('GET', '/api/search?q=');
    expect(empty.statusCode).toBe(400);
  });

  it('gives an eDiscovery manager what their mailbox access allows: every mailbox, as an eDiscovery administrator', async () => {
    const admin = await userWith(h, 'eda', ['ediscovery-admin']);
    const q = `conversation:${ROOM}`;
    const mine = await reader.json<SearchPage>('GET', `/api/search?q=${enc(q)}&limit=100`);
    const theirs = await admin.json<SearchPage>('GET', `/api/search?q=${enc(q)}&limit=100`);
    expect(mine.total).toBe(ROOM_MESSAGES);
    expect(mine.items.map((i) => i.itemKey)).toEqual(theirs.items.map((i) => i.itemKey));
    for (const hit of mine.items) expect(hit.mailboxes).toEqual(['desk@example.com']);
  });
});

describe('conversation view', () => {
  it('opens around a hit: the messages before and after it in order, the hit among them', async () => {
    const all = await roomKeys();
    expect(all.length).toBe(ROOM_MESSAGES);
    const page = await reader.json<ConversationPage>('GET', `/api/items/${enc(hitKey)}/conversation?limit=10`);
    expect(page.anchor).toBe(hitKey);
    expect(page.conversation.id).toBe(ROOM);
    expect(page.conversation.kind).toBe('group');
    const at = all.indexOf(hitKey);
    expect(page.messages.map((m) => m.itemKey)).toEqual(all.slice(at - 4, at + 6));
    const hit = page.messages.find((m) => m.itemKey === hitKey)!;
    expect(hit.text).toContain(HIT_QUERY);
    expect(hit.from.id).toBe('lisi');
    expect(hit.mailbox).toBe('desk@example.com');
    expect(page.older).not.toBeNull();
    expect(page.newer).not.toBeNull();
    const times = page.messages.map((m) => m.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const [event] = await auditOf('conversation.view');
    expect(event?.actor).toBe('mia');
    expect(event?.target).toBe(`corp/${ROOM}`);
    expect(JSON.parse(event?.detail_json ?? '{}')).toMatchObject({ around: hitKey, messages: 10 });
  });

  it('pages back to the first message and forward to the last, with no gap and no repeat', async () => {
    const all = await roomKeys();
    const start = await reader.json<ConversationPage>('GET', `/api/items/${enc(hitKey)}/conversation?limit=6`);
    const seen = start.messages.map((m) => m.itemKey);
    const base = `/api/conversations/corp/${enc(ROOM)}`;
    let older = start.older;
    while (older) {
      const p = await reader.json<ConversationPage>('GET', `${base}?before=${older}&limit=4`);
      expect(p.messages.length).toBeGreaterThan(0);
      // An older page can always be paged forward again to where it came from.
      expect(p.newer).not.toBeNull();
      seen.unshift(...p.messages.map((m) => m.itemKey));
      older = p.older;
    }
    let newer = start.newer;
    while (newer) {
      const p = await reader.json<ConversationPage>('GET', `${base}?after=${newer}&limit=4`);
      expect(p.older).not.toBeNull();
      seen.push(...p.messages.map((m) => m.itemKey));
      newer = p.newer;
    }
    expect(seen).toEqual(all);
    // Without a cursor: the newest page.
    const newest = await reader.json<ConversationPage>('GET', `${base}?limit=5`);
    expect(newest.messages.map((m) => m.itemKey)).toEqual(all.slice(-5));
    expect(newest.newer).toBeNull();
  });

  it('shows a recalled message as recalled and the recall as a recall of it', async () => {
    const page = await reader.json<ConversationPage>('GET', `/api/conversations/corp/${enc(ROOM)}?limit=3`);
    const original = page.messages.find((m) => m.msgid === RECALLED_MSGID)!;
    expect(original.recalled).toBe(true);
    expect(original.recalledAt).toBeGreaterThan(original.time);
    expect(original.text).toContain('这条消息会被撤回');
    const recall = page.messages.find((m) => m.action === 'recall')!;
    expect(recall.recalledMsgid).toBe(RECALLED_MSGID);
  });

  it('refuses a bad cursor, an unknown item, and roles that may not open items', async () => {
    const bad = await reader.request('GET', `/api/conversations/corp/${enc(ROOM)}?before=nonsense`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'WXA_INPUT_INVALID', fields: [{ path: 'before' }] });
    expect((await reader.request('GET', '/api/items/nothing/conversation')).statusCode).toBe(404);
    const auditor = await userWith(h, 'otto', ['auditor']);
    expect((await auditor.request('GET', `/api/items/${enc(hitKey)}/conversation`)).statusCode).toBe(403);
    const admin = await userWith(h, 'carl', ['connector-admin']);
    expect((await admin.request('GET', `/api/conversations/corp/${enc(ROOM)}`)).statusCode).toBe(403);
  });
});

describe('image previews', () => {
  async function roomAttachments() {
    const page = await reader.json<ConversationPage>('GET', `/api/conversations/corp/${enc(ROOM)}?limit=10`);
    const by = (msgid: string) => page.messages.find((m) => m.msgid === msgid)!.attachments[0]!;
    return { png: by('room-png'), fake: by('room-fake'), svg: by('room-svg'), html: by('room-html') };
  }

  it('serves a real PNG inline with its sniffed type, no-sniff and a sandboxing CSP, and audits it', async () => {
    const { png } = await roomAttachments();
    expect(png.previewUrl).toMatch(/\/preview$/);
    const res = await reader.request('GET', png.previewUrl!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // The download of the same attachment is the same bytes.
    const download = await reader.request('GET', png.url!);
    expect(download.rawPayload.equals(res.rawPayload)).toBe(true);
    const [event] = await auditOf('item.preview');
    expect(event?.actor).toBe('mia');
  });

  it('never previews SVG or HTML, even when the sender called it an image', async () => {
    const { fake, svg, html } = await roomAttachments();
    // Declared image/jpeg by the source; the bytes are HTML.
    expect(fake.contentType).toBe('image/jpeg');
    expect(svg.previewUrl).toBeNull();
    expect(html.previewUrl).toBeNull();
    for (const a of [fake, svg, html]) {
      const res = await reader.request('GET', `${a.url!}/preview`);
      expect(res.statusCode, a.filename).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({ code: 'WXA_PREVIEW_UNSUPPORTED' });
    }
    // The SVG is still there as a download that cannot run in place.
    const dl = await reader.request('GET', svg.url!);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['content-security-policy']).toContain('sandbox');
  });
});
