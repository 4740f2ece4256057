import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../../core/errors.js';
import { msgSignature } from './crypto.js';
import { createCallbackHandler } from './handler.js';
import type { CallbackRequest } from './handler.js';
import {
  encryptForTest,
  eventRequestForTest,
  eventXml,
  verifyRequestForTest,
} from '../../../../test/helpers/callback-request.js';

// Tencent's published WeCom sample values
const token = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const encodingAesKey = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const corpId = 'ww1436e0e65a779aee';
const creds = { token, encodingAesKey, corpId };

function setup() {
  let notified = 0;
  const handler = createCallbackHandler({ ...creds, onNotify: () => void notified++ });
  return { handler, notified: () => notified };
}

describe('URL verification (GET)', () => {
  it("answers the vendor sample's echostr", () => {
    const { handler } = setup();
    const res = handler({
      method: 'GET',
      query: {
        msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
        timestamp: '1476416373',
        nonce: '47744683',
        echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
      },
    });
    expect(res).toEqual({ status: 200, body: '1288432023552776189' });
  });

  it('answers our own verification request, also when + arrived as a space', () => {
    const { handler } = setup();
    for (let i = 0; i < 20; i++) {
      const req = verifyRequestForTest({ ...creds, echo: `echo-${i}` });
      const spaced = { ...req, query: { ...req.query, echostr: req.query.echostr?.replace(/\+/g, ' ') } };
      expect(handler(spaced)).toEqual({ status: 200, body: `echo-${i}` });
    }
  });

  it('refuses a wrong signature with no detail', () => {
    const { handler } = setup();
    const req = verifyRequestForTest({ ...creds, echo: 'x' });
    const res = handler({ ...req, query: { ...req.query, msg_signature: '0'.repeat(40) } });
    expect(res.status).toBe(401);
    expect(res.body).toBe('');
    expect(res.rejected).toMatch(/signature/);
  });

  it('refuses missing parameters', () => {
    const { handler } = setup();
    const req = verifyRequestForTest({ ...creds, echo: 'x' });
    for (const drop of ['msg_signature', 'timestamp', 'nonce', 'echostr']) {
      const query = { ...req.query, [drop]: undefined };
      expect(handler({ ...req, query }).status).toBe(400);
    }
  });
});

describe('events (POST)', () => {
  it('calls onNotify for msgaudit_notify and answers an empty 200', () => {
    const { handler, notified } = setup();
    expect(handler(eventRequestForTest(creds))).toEqual({ status: 200, body: '' });
    expect(notified()).toBe(1);
  });

  it('accepts the vendor sample POST (a text message) without notifying', () => {
    const { handler, notified } = setup();
    const body =
      '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';
    const query = {
      msg_signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
      timestamp: '1476422779',
      nonce: '1597212914',
    };
    expect(handler({ method: 'POST', query, body })).toEqual({ status: 200, body: '' });
    expect(notified()).toBe(0);
  });

  it('does not notify for other events', () => {
    const { handler, notified } = setup();
    expect(handler(eventRequestForTest({ ...creds, event: 'change_contact' })).status).toBe(200);
    expect(notified()).toBe(0);
  });

  it('refuses a tampered ciphertext (the signature covers it)', () => {
    const { handler, notified } = setup();
    const req = eventRequestForTest(creds);
    const body = req.body?.replace(/<!\[CDATA\[(.)/g, (_m, c: string) => `<![CDATA[${c === 'A' ? 'B' : 'A'}`);
    expect(body).not.toBe(req.body);
    expect(handler({ ...req, body }).status).toBe(401);
    expect(notified()).toBe(0);
  });

  it('refuses a message for another corp even when correctly signed', () => {
    const { handler, notified } = setup();
    const other = 'ww0000000000000001';
    const encrypt = encryptForTest({ encodingAesKey, receiveId: other, message: eventXml(other) });
    const query = { msg_signature: msgSignature(token, '1', '2', encrypt), timestamp: '1', nonce: '2' };
    const res = handler({ method: 'POST', query, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
    expect(res).toMatchObject({ status: 401, body: '', rejected: expect.stringMatching(/receiveid/) });
    expect(notified()).toBe(0);
  });

  it('refuses another token, a body without Encrypt, and other methods', () => {
    const { handler } = setup();
    expect(handler(eventRequestForTest({ ...creds, token: 'another-token' })).status).toBe(401);
    const req = eventRequestForTest(creds);
    expect(handler({ ...req, body: '<xml></xml>' }).status).toBe(400);
    expect(handler({ ...req, body: undefined }).status).toBe(400);
    expect(handler({ ...req, method: 'PUT' }).status).toBe(405);
  });

  it('answers 500 when onNotify throws, so the vendor retries', () => {
    const handler = createCallbackHandler({
      ...creds,
      onNotify: () => {
        throw new Error('queue full');
      },
    });
    expect(handler(eventRequestForTest(creds))).toMatchObject({
      status: 500,
      body: '',
      rejected: expect.stringMatching(/queue full/),
    });
  });

  it('never throws and never notifies on arbitrary requests', () => {
    const { handler, notified } = setup();
    const str = fc.option(fc.string(), { nil: undefined });
    const reqArb = fc.record({
      method: fc.constantFrom('GET', 'POST', 'HEAD'),
      query: fc.record({ msg_signature: str, timestamp: str, nonce: str, echostr: str }),
      body: fc.oneof(
        fc.string(),
        fc.base64String().map((b) => `<xml><Encrypt><![CDATA[${b}]]></Encrypt></xml>`),
      ),
    });
    fc.assert(
      fc.property(reqArb, (req: CallbackRequest) => {
        const res = handler(req);
        expect([400, 401, 405]).toContain(res.status);
        expect(res.body).toBe('');
      }),
    );
    expect(notified()).toBe(0);
  });
});

describe('configuration', () => {
  it('refuses a bad EncodingAESKey, an empty token or corp id at creation', () => {
    for (const bad of [
      { ...creds, encodingAesKey: 'too-short' },
      { ...creds, token: '' },
      { ...creds, corpId: '' },
    ]) {
      let caught: unknown;
      try {
        createCallbackHandler({ ...bad, onNotify: () => undefined });
      } catch (err) {
        caught = err;
      }
      expect(isArchiverError(caught, 'WXA_CONFIG_INVALID')).toBe(true);
    }
  });
});
