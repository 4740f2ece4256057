import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../../core/errors.js';
import { decryptMessage, msgSignature, parseAesKey, signatureMatches } from './crypto.js';
import { encryptForTest } from '../../../../test/helpers/callback-request.js';

// Tencent's published WeCom sample (WXBizMsgCrypt Sample.py): URL verification and a POST.
const SAMPLE = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  key: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  verify: {
    signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
    timestamp: '1476416373',
    nonce: '47744683',
    echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
    plain: '1288432023552776189',
  },
  post: {
    signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
    timestamp: '1476422779',
    nonce: '1597212914',
    encrypt:
      'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
  },
};

// The encryption test of Tencent's WeChat sample (same scheme, fixed random prefix).
const ENCRYPT_VECTOR = {
  key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: 'wxb11529c136998cb6',
  random: Buffer.from('aaaabbbbccccdddd'),
  message: '我是中文abcd123',
  encrypted: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
};

describe('published vectors', () => {
  it('computes the sample signatures', () => {
    const { token, verify, post } = SAMPLE;
    expect(msgSignature(token, verify.timestamp, verify.nonce, verify.echostr)).toBe(verify.signature);
    expect(msgSignature(token, post.timestamp, post.nonce, post.encrypt)).toBe(post.signature);
  });

  it('decrypts the sample echostr and event', () => {
    const key = parseAesKey(SAMPLE.key);
    expect(decryptMessage(key, SAMPLE.verify.echostr, SAMPLE.corpId)).toEqual({
      ok: true,
      message: SAMPLE.verify.plain,
      receiveId: SAMPLE.corpId,
    });
    const post = decryptMessage(key, SAMPLE.post.encrypt, SAMPLE.corpId);
    expect(post.ok && post.message).toBe(
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>' +
        '<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>' +
        '<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
    );
  });

  it('refuses the sample for another corp', () => {
    const got = decryptMessage(parseAesKey(SAMPLE.key), SAMPLE.verify.echostr, 'ww0000000000000000');
    expect(got).toEqual({ ok: false, reason: 'meant for receiveid "ww1436e0e65a779aee"' });
  });

  it('encrypts byte for byte like the vendor library', () => {
    const { key, receiveId, random, message, encrypted } = ENCRYPT_VECTOR;
    expect(encryptForTest({ encodingAesKey: key, receiveId, message, random })).toBe(encrypted);
    const back = decryptMessage(parseAesKey(key), encrypted, receiveId);
    expect(back.ok && back.message).toBe(message);
  });
});

describe('parseAesKey', () => {
  it('gives 32 bytes for a 43-character key', () => {
    expect(parseAesKey(SAMPLE.key)).toHaveLength(32);
  });

  it.each(['', 'short', `${SAMPLE.key}=`, `${SAMPLE.key.slice(0, 42)}+`, SAMPLE.key.slice(1)])(
    'refuses %j with a config error',
    (bad) => {
      let caught: unknown;
      try {
        parseAesKey(bad);
      } catch (err) {
        caught = err;
      }
      expect(isArchiverError(caught, 'WXA_CONFIG_INVALID')).toBe(true);
    },
  );
});

describe('properties', () => {
  const keyArb = fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((b) => Buffer.from(b).toString('base64').slice(0, 43))
    .filter((k) => /^[A-Za-z0-9]{43}$/.test(k));
  const corpArb = fc.stringMatching(/^ww[0-9a-f]{16}$/);

  it('decrypts what it encrypts, for any message and corp', () => {
    fc.assert(
      fc.property(keyArb, corpArb, fc.string({ unit: 'grapheme', maxLength: 300 }), (key, corp, message) => {
        const enc = encryptForTest({ encodingAesKey: key, receiveId: corp, message });
        expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
        expect(decryptMessage(parseAesKey(key), enc, corp)).toEqual({ ok: true, message, receiveId: corp });
      }),
    );
  });

  it('refuses a message meant for another corp', () => {
    fc.assert(
      fc.property(keyArb, corpArb, corpArb, fc.string(), (key, corp, other, message) => {
        fc.pre(corp !== other);
        const enc = encryptForTest({ encodingAesKey: key, receiveId: corp, message });
        expect(decryptMessage(parseAesKey(key), enc, other).ok).toBe(false);
      }),
    );
  });

  it('refuses a message under another key (never throws)', () => {
    fc.assert(
      fc.property(keyArb, keyArb, corpArb, fc.string(), (key, other, corp, message) => {
        fc.pre(key !== other);
        const enc = encryptForTest({ encodingAesKey: key, receiveId: corp, message });
        expect(decryptMessage(parseAesKey(other), enc, corp).ok).toBe(false);
      }),
    );
  });

  it('answers any input with a result, never an exception', () => {
    const key = parseAesKey(SAMPLE.key);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String()), (input) => {
        expect(decryptMessage(key, input, SAMPLE.corpId).ok).toBe(false);
      }),
    );
  });

  it('matches signatures only when equal, in any letter case', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        const sig = msgSignature(a, b, c, d);
        expect(sig).toMatch(/^[0-9a-f]{40}$/);
        expect(signatureMatches(sig.toUpperCase(), sig)).toBe(true);
        expect(signatureMatches(`${sig.slice(0, 39)}${sig[39] === '0' ? '1' : '0'}`, sig)).toBe(false);
        expect(signatureMatches(sig.slice(0, 20), sig)).toBe(false);
      }),
    );
  });
});
