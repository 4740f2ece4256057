/**
 * The WeCom callback endpoint's logic, free of any HTTP server so it can be tested and mounted
 * anywhere: GET answers the URL verification with the decrypted echostr; POST checks and
 * decrypts the event and, for `msgaudit_notify` (new archive data, at most one per 15 s),
 * tells the source to pull now instead of waiting for its next poll. It answers at once: the
 * vendor retries a callback that gets no answer within 5 s, and the pull runs elsewhere.
 */
import { ArchiverError } from '../../../core/errors.js';
import { decryptMessage, msgSignature, parseAesKey, signatureMatches } from './crypto.js';
import { xmlField } from './xml.js';

export const MSGAUDIT_NOTIFY = 'msgaudit_notify';

export interface CallbackRequest {
  method: string;
  /** decoded query parameters */
  query: Record<string, string | undefined>;
  body?: string;
}

export interface CallbackResponse {
  status: number;
  body: string;
  /** why the request was refused, for the log; never sent to the caller */
  rejected?: string;
}

export interface CallbackHandlerOptions {
  /** the callback Token set in the admin console */
  token: string;
  /** the callback EncodingAESKey (43 characters) */
  encodingAesKey: string;
  /** the corp id: the receiveid every message must carry */
  corpId: string;
  /** new archive data is waiting */
  onNotify: () => void;
}

export type CallbackHandler = (req: CallbackRequest) => CallbackResponse;

const refuse = (status: number, rejected: string): CallbackResponse => ({ status, body: '', rejected });

export function createCallbackHandler(opts: CallbackHandlerOptions): CallbackHandler {
  if (!opts.token) throw new ArchiverError('WXA_CONFIG_INVALID', 'the WeCom callback token is empty');
  if (!opts.corpId) throw new ArchiverError('WXA_CONFIG_INVALID', 'the WeCom corp id is empty');
  const key = parseAesKey(opts.encodingAesKey);

  /** Signature first, then decryption: nothing is decrypted for an unsigned request. */
  function open(query: CallbackRequest['query'], encrypted: string): { message: string } | CallbackResponse {
    const { msg_signature: signature, timestamp, nonce } = query;
    if (!signature || !timestamp || !nonce) return refuse(400, 'msg_signature, timestamp or nonce missing');
    if (!signatureMatches(signature, msgSignature(opts.token, timestamp, nonce, encrypted))) {
      return refuse(401, 'signature does not match (wrong token or forged request)');
    }
    const got = decryptMessage(key, encrypted, opts.corpId);
    return got.ok ? { message: got.message } : refuse(401, got.reason);
  }

  return (req) => {
    if (req.method === 'GET') {
      // frameworks that decode `+` as a space break base64; base64 has no spaces to lose
      const echostr = req.query.echostr?.replace(/ /g, '+');
      if (!echostr) return refuse(400, 'echostr missing');
      const opened = open(req.query, echostr);
      return 'message' in opened ? { status: 200, body: opened.message } : opened;
    }
    if (req.method !== 'POST') return refuse(405, `method ${req.method}`);

    const encrypted = xmlField(req.body ?? '', 'Encrypt');
    if (!encrypted) return refuse(400, 'body has no <Encrypt> element');
    const opened = open(req.query, encrypted);
    if (!('message' in opened)) return opened;
    if (xmlField(opened.message, 'Event') === MSGAUDIT_NOTIFY) {
      try {
        opts.onNotify();
      } catch (err) {
        // no answer the vendor accepts means it retries, so the notification is not lost
        return refuse(500, `onNotify failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // WeCom takes an empty 200 as "received, no reply"
    return { status: 200, body: '' };
  };
}
