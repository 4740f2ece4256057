/**
 * One encrypted archive record -> one ChatMessage: the RSA step (ours), DecryptData (the
 * vendor library or its double), cleaning, JSON parsing and the message parser, with each
 * failure turned into a coded error that names the record.
 */
import { ArchiverError, isArchiverError } from '../../core/errors.js';
import type { ChatMessage } from '../../core/model.js';
import { cleanDecrypted } from './clean.js';
import { type EncryptedRecord, SDK_ERRORS, SdkError } from './client.js';
import type { KeyRing } from './keyring.js';
import { parseMessage } from './parse.js';
import { asNumber } from './parse-util.js';

/** The vendor's DecryptData: the RSA-decrypted random key and the record's `encrypt_chat_msg` -> JSON bytes. */
export type DecryptDataFn = (encryptKey: string, encryptChatMsg: string) => Promise<Buffer> | Buffer;

/** A record's decrypted JSON, before it is mapped to the model (what a replay starts from). */
export interface DecryptedRecord {
  /** JSON.parse of the cleaned text */
  json: unknown;
  /** the cleaned JSON text */
  text: string;
  /** cleaning altered the content (flag 'cleaned-text') */
  cleaned: boolean;
}

/**
 * Decrypt one record to its JSON: keyring.decryptRandomKey -> decryptData -> cleanDecrypted ->
 * JSON.parse. Throws the key ring's errors, WXA_RECORD_MALFORMED for a record lacking fields,
 * WXA_DECRYPT_FAILED / WXA_SOURCE_FAILED when DecryptData fails (by whether the vendor code
 * is retryable), and WXA_MESSAGE_MALFORMED naming the msgid when the text is not JSON.
 */
export async function decryptRecordJson(
  record: EncryptedRecord,
  keyring: Pick<KeyRing, 'decryptRandomKey'>,
  decryptData: DecryptDataFn,
): Promise<DecryptedRecord> {
  const { msgid, seq, version } = checkRecord(record);
  const randomKey = keyring.decryptRandomKey(version, record.encrypt_random_key);
  let bytes: Buffer;
  try {
    bytes = await decryptData(randomKey, record.encrypt_chat_msg);
  } catch (err) {
    throw decryptDataError(err, msgid, seq);
  }
  const { text, changed } = cleanDecrypted(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message quotes the text around the error, and message content must not reach logs:
    // keep only the position, and do not attach the SyntaxError as the cause.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    throw new ArchiverError(
      'WXA_MESSAGE_MALFORMED',
      `message ${msgid} (seq ${seq}) decrypted to text that is not JSON${position ? ` (error at character ${position})` : ''}; the record is kept and held`,
    );
  }
  return { json, text, cleaned: changed };
}

/**
 * Decrypt and parse one record into a ChatMessage (decryptRecordJson, then parseMessage), and
 * check that the decrypted msgid is the record's (WXA_MESSAGE_MALFORMED when it is not).
 */
export async function decryptRecord(
  record: EncryptedRecord,
  keyring: Pick<KeyRing, 'decryptRandomKey'>,
  decryptData: DecryptDataFn,
  corpId: string,
): Promise<ChatMessage> {
  const { json, cleaned } = await decryptRecordJson(record, keyring, decryptData);
  let message: ChatMessage;
  try {
    message = parseMessage(json, { corpId, seq: record.seq, cleaned });
  } catch (err) {
    if (isArchiverError(err, 'WXA_MESSAGE_MALFORMED')) {
      throw new ArchiverError('WXA_MESSAGE_MALFORMED', `record ${record.msgid}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  if (message.msgid !== String(record.msgid).toWellFormed()) {
    throw new ArchiverError(
      'WXA_MESSAGE_MALFORMED',
      `record ${record.msgid} (seq ${record.seq}) decrypted to message ${message.msgid}; the record is held rather than archived under the wrong id`,
    );
  }
  return message;
}

/** The fields the decryption needs, checked, since records come straight from the service. */
function checkRecord(record: EncryptedRecord): { msgid: string; seq: string; version: number } {
  const raw: Partial<Record<keyof EncryptedRecord, unknown>> = record;
  const msgid = typeof raw.msgid === 'string' && raw.msgid ? raw.msgid : undefined;
  // seq is a uint64 string; a number is accepted only while it is still exact.
  const seq =
    typeof raw.seq === 'string' || typeof raw.seq === 'bigint' || Number.isSafeInteger(raw.seq)
      ? String(raw.seq)
      : undefined;
  const version = asNumber(raw.publickey_ver);
  const missing = [
    msgid === undefined && 'msgid',
    seq === undefined && 'seq',
    (version === undefined || !Number.isSafeInteger(version)) && 'publickey_ver',
    typeof raw.encrypt_random_key !== 'string' && 'encrypt_random_key',
    typeof raw.encrypt_chat_msg !== 'string' && 'encrypt_chat_msg',
  ].filter((name): name is string => typeof name === 'string');
  if (missing.length > 0 || msgid === undefined || seq === undefined || version === undefined) {
    throw new ArchiverError(
      'WXA_RECORD_MALFORMED',
      `archive record ${msgid ?? '(no msgid)'} lacks a valid ${missing.join(', ')}; it cannot be decrypted`,
    );
  }
  return { msgid, seq, version };
}

/**
 * DecryptData's failures by where they came from: a coded library error is a data verdict
 * unless the vendor marks the code retryable; anything else (the host process died, the
 * channel broke) says nothing about the record and is retried.
 */
function decryptDataError(err: unknown, msgid: string, seq: string): ArchiverError {
  if (err instanceof ArchiverError) return err;
  if (err instanceof SdkError) {
    const info = SDK_ERRORS[err.sdkCode];
    const what = `DecryptData failed for message ${msgid} (seq ${seq}) with code ${err.sdkCode} (${info?.meaning ?? 'unknown code'})`;
    return info?.retry
      ? new ArchiverError('WXA_SOURCE_FAILED', `${what}; will retry`, { cause: err })
      : new ArchiverError('WXA_DECRYPT_FAILED', `${what}; the record is held`, { cause: err });
  }
  return new ArchiverError(
    'WXA_SOURCE_FAILED',
    `DecryptData could not be called for message ${msgid} (seq ${seq}); will retry`,
    {
      cause: err,
    },
  );
}
