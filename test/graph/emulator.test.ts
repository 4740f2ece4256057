// The emulator itself keeps the documented rules the destination tests rely on: a test
// against a fake that accepts everything would prove nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphEmulator } from './emulator.js';
import { emulator, MAILBOX } from './helpers.js';

const MIB = 1024 * 1024;
let emu: GraphEmulator;
let token: string;
beforeEach(async () => {
  emu = await emulator();
  const form = {
    grant_type: 'client_credentials',
    client_id: 'client-1',
    client_secret: 'secret-1',
    scope: 'https://graph.microsoft.com/.default',
  };
  token = emu.auth.token('tenant-1', new URLSearchParams(form)).body.access_token as string;
});
afterEach(async () => {
  await emu.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const url = path.startsWith('http') ? path : `${emu.graphBaseUrl}/users/${encodeURIComponent(MAILBOX)}${path}`;
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
  };
  if (body !== undefined) init.body = Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: (text ? JSON.parse(text) : undefined) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary Graph JSON
}

describe('Graph emulator', () => {
  it('makes a message created without PR_MESSAGE_FLAGS a draft, and with it a received item', async () => {
    const folder = (await call('POST', '/mailFolders', { displayName: 'F' })).json.id as string;
    const draft = await call('POST', `/mailFolders/${encodeURIComponent(folder)}/messages`, { subject: 'x' });
    expect(draft.json.isDraft).toBe(true);
    const sent = await call('POST', `/mailFolders/${encodeURIComponent(folder)}/messages`, {
      subject: 'y',
      singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }],
    });
    expect(sent.json.isDraft).toBe(false);
    expect(sent.json.isRead).toBe(true);
    expect((await call('POST', '/mailFolders', { displayName: 'f' })).status).toBe(409);
  });

  it('requires a bearer token, knows its mailboxes and refuses filters it does not document', async () => {
    expect((await call('GET', '/mailFolders', undefined, { authorization: '' })).status).toBe(401);
    expect((await call('GET', `${emu.graphBaseUrl}/users/nobody%40example.com/mailFolders`)).json.error.code).toBe(
      'ErrorInvalidUser',
    );
    expect(
      (await call('GET', `/mailFolders?$filter=${encodeURIComponent("startswith(displayName,'W')")}`)).status,
    ).toBe(400);
  });

  it('enforces the 4 MB request limit, the 3 MB inline limit and the upload session rules', async () => {
    const folder = (await call('POST', '/mailFolders', { displayName: 'F' })).json.id as string;
    const msg = (await call('POST', `/mailFolders/${encodeURIComponent(folder)}/messages`, { subject: 'x' })).json
      .id as string;
    const m = `/messages/${encodeURIComponent(msg)}/attachments`;
    const file = (n: number) => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'a',
      contentBytes: Buffer.alloc(n).toString('base64'),
    });
    expect((await call('POST', m, file(3 * MIB + 100))).status).toBe(413);
    expect((await call('POST', m, { ...file(1), pad: 'x'.repeat(4 * MIB) })).status).toBe(413);
    expect(
      (
        await call('POST', `${m}/createUploadSession`, {
          AttachmentItem: { attachmentType: 'file', name: 'b', size: 2 * MIB },
        })
      ).json.error.code,
    ).toBe('ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
    const session = (
      await call('POST', `${m}/createUploadSession`, {
        AttachmentItem: { attachmentType: 'file', name: 'b', size: 5 * MIB },
      })
    ).json;
    expect(session.nextExpectedRanges).toEqual(['0-']);
    const put = (start: number, end: number, auth = false) =>
      fetch(session.uploadUrl as string, {
        method: 'PUT',
        headers: {
          'content-range': `bytes ${start}-${end}/${5 * MIB}`,
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
        },
        body: Buffer.alloc(end - start + 1),
      });
    expect((await put(0, MIB - 1, true)).status).toBe(401);
    expect((await put(MIB, 2 * MIB - 1)).status).toBe(416);
    const first = await put(0, MIB - 1);
    expect(await first.json()).toMatchObject({ nextExpectedRanges: [String(MIB)] });
    const last = await put(MIB, 5 * MIB - 1);
    expect(last.status).toBe(201);
    expect(last.headers.get('location')).toMatch(/\/Attachments\('.+'\)$/);
    expect((await call('GET', m)).json.value).toHaveLength(1);
  });
});
