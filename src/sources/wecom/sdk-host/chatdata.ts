/**
 * GetChatData's JSON document as the library writes it, read without losing the seq: the
 * service sends seq as a JSON number, which can exceed 2^53, so each seq is turned into a string
 * before JSON.parse ever sees it.
 */
import type { ChatDataResponse, EncryptedRecord } from '../client.js';

/**
 * A `"seq": <digits>` member. Only a key can match: inside a JSON string a quote is escaped
 * (`\"`), so `"seq"` there is preceded by a backslash and followed by `\"`, never by `":`.
 */
const NUMERIC_SEQ = /([{,]\s*"seq"\s*:\s*)(\d+)(?=\s*[,}])/g;

/** The document is not what the library promises: retried like the library's 10002. */
export class ChatDataMalformed extends Error {
  constructor(reason: string) {
    super(`GetChatData returned a document that ${reason}`);
    this.name = 'ChatDataMalformed';
  }
}

/**
 * Parse the document. A missing or empty `chatdata` becomes a response without it (nothing
 * new), as the sandbox answers. Entries are passed on as they are (seq as a string): the
 * pipeline checks each record's fields and holds a bad one rather than dropping the batch.
 */
export function parseChatData(bytes: Uint8Array): ChatDataResponse {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(NUMERIC_SEQ, '$1"$2"');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // the parser's message would quote the document; only its length is worth logging
    throw new ChatDataMalformed(`is not JSON (${bytes.byteLength} bytes)`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ChatDataMalformed('is not a JSON object');
  }
  const { errcode, errmsg, chatdata } = doc as { errcode?: unknown; errmsg?: unknown; chatdata?: unknown };
  if (errcode !== undefined && !Number.isInteger(errcode)) throw new ChatDataMalformed('has a non-integer errcode');
  if (chatdata !== undefined && chatdata !== null && !Array.isArray(chatdata)) {
    throw new ChatDataMalformed('has a chatdata that is not an array');
  }
  const res: ChatDataResponse = {
    errcode: (errcode as number | undefined) ?? 0,
    errmsg: typeof errmsg === 'string' ? errmsg : '',
  };
  if (Array.isArray(chatdata) && chatdata.length > 0) {
    if (chatdata.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw new ChatDataMalformed('has a chatdata entry that is not an object');
    }
    res.chatdata = chatdata as EncryptedRecord[];
  }
  return res;
}
