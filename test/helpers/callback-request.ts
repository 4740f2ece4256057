/**
 * What WeCom's servers do to reach our callback, for tests and benchmarks: encrypt a message
 * for a corp and build signed GET (URL verification) and POST (event) requests. Kept out of the
 * production code on purpose: a running archive only ever decrypts.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { PAD_BLOCK, msgSignature, parseAesKey } from '../../src/sources/wecom/callback/crypto.js';
import type { CallbackRequest } from '../../src/sources/wecom/callback/handler.js';

export interface EncryptOptions {
  encodingAesKey: string;
  /** the corp id the message is meant for */
  receiveId: string;
  message: string;
  /** the 16 leading random bytes; fixed in tests that compare with a published vector */
  random?: Buffer;
}

/** The base64 ciphertext WeCom would send for `message`. */
export function encryptForTest(opts: EncryptOptions): string {
  const key = parseAesKey(opts.encodingAesKey);
  const random = opts.random ?? randomBytes(16);
  if (random.length !== 16) throw new RangeError('the random prefix is 16 bytes');
  const msg = Buffer.from(opts.message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length);
  const plain = Buffer.concat([random, length, msg, Buffer.from(opts.receiveId, 'utf8')]);
  const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

export interface SignedRequestOptions {
  token: string;
  encodingAesKey: string;
  corpId: string;
  timestamp?: string;
  nonce?: string;
}

function stamp(opts: SignedRequestOptions): { timestamp: string; nonce: string } {
  return {
    timestamp: opts.timestamp ?? String(Math.floor(Date.now() / 1000)),
    nonce: opts.nonce ?? String(randomBytes(4).readUInt32BE()),
  };
}

/** The GET WeCom sends when an admin saves the callback URL; the answer must be `echo`. */
export function verifyRequestForTest(opts: SignedRequestOptions & { echo: string }): CallbackRequest {
  const { timestamp, nonce } = stamp(opts);
  const echostr = encryptForTest({ encodingAesKey: opts.encodingAesKey, receiveId: opts.corpId, message: opts.echo });
  const msg_signature = msgSignature(opts.token, timestamp, nonce, echostr);
  return { method: 'GET', query: { msg_signature, timestamp, nonce, echostr } };
}

/** The XML event WeCom encrypts, `msgaudit_notify` unless told otherwise. */
export function eventXml(corpId: string, event = 'msgaudit_notify', createTime = 1629101687): string {
  return (
    `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><AgentID>2000004</AgentID>` +
    `<Event><![CDATA[${event}]]></Event></xml>`
  );
}

/** The POST WeCom sends for an event (the archive's notification by default). */
export function eventRequestForTest(opts: SignedRequestOptions & { event?: string; xml?: string }): CallbackRequest {
  const { timestamp, nonce } = stamp(opts);
  const encrypt = encryptForTest({
    encodingAesKey: opts.encodingAesKey,
    receiveId: opts.corpId,
    message: opts.xml ?? eventXml(opts.corpId, opts.event),
  });
  const msg_signature = msgSignature(opts.token, timestamp, nonce, encrypt);
  const body =
    `<xml><ToUserName><![CDATA[${opts.corpId}]]></ToUserName>` +
    `<Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[2000004]]></AgentID></xml>`;
  return { method: 'POST', query: { msg_signature, timestamp, nonce }, body };
}
