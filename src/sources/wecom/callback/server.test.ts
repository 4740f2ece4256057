import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackHandler } from './handler.js';
import type { CallbackRequest } from './handler.js';
import { MAX_CALLBACK_BODY, startCallbackServer } from './server.js';
import type { CallbackServer } from './server.js';
import { eventRequestForTest, verifyRequestForTest } from '../../../../test/helpers/callback-request.js';

const creds = {
  token: 'sandbox-callback-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  corpId: 'ww0123456789abcdef',
};

let server: CallbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start() {
  let notified = 0;
  const warnings: object[] = [];
  const handler = createCallbackHandler({ ...creds, onNotify: () => void notified++ });
  server = await startCallbackServer({ port: 0, handler, logger: { warn: (obj) => void warnings.push(obj) } });
  return { url: server.url, notified: () => notified, warnings };
}

/** What WeCom's servers send: query parameters URL-encoded, the event as the body. */
function send(url: string, req: CallbackRequest): Promise<Response> {
  const query = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => e[1] !== undefined));
  return fetch(`${url}?${query}`, { method: req.method, body: req.body });
}

describe('startCallbackServer', () => {
  it('listens on 127.0.0.1 at /wecom/callback by default', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/wecom\/callback$/);
  });

  it('answers the URL verification with the decrypted echostr', async () => {
    const { url } = await start();
    const res = await send(url, verifyRequestForTest({ ...creds, echo: '1288432023552776189' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1288432023552776189');
  });

  it('turns each msgaudit_notify into one onNotify call', async () => {
    const { url, notified } = await start();
    for (let i = 0; i < 3; i++) {
      const res = await send(url, eventRequestForTest(creds));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
    expect(notified()).toBe(3);
  });

  it('refuses forged requests with an empty 401 and logs why', async () => {
    const { url, notified, warnings } = await start();
    const res = await send(url, eventRequestForTest({ ...creds, token: 'guessed' }));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
    expect(notified()).toBe(0);
    expect(warnings).toEqual([{ status: 401, reason: expect.stringMatching(/signature/) }]);
  });

  it('answers 404 elsewhere and 413 for oversized bodies', async () => {
    const { url, notified } = await start();
    expect((await fetch(new URL('/other', url))).status).toBe(404);
    const req = eventRequestForTest(creds);
    const res = await send(url, { ...req, body: `${req.body}${' '.repeat(MAX_CALLBACK_BODY)}` });
    expect(res.status).toBe(413);
    expect(notified()).toBe(0);
  });
});
