/**
 * The WeCom source's decryption and parsing: the RSA key ring, the cleaning of DecryptData's
 * output and the msgtype parser. The SDK host and the pull loop live beside it.
 */
export { KeyRing } from './keyring.js';
export { unpadPkcs1Type2 } from './pkcs1.js';
export { cleanDecrypted, type CleanedText } from './clean.js';
export { parseMessage, type ParseContext } from './parse.js';
export { KNOWN_MSGTYPES } from './parse-content.js';
export { NO_ATTACHMENT, contentTypeOf, safeFilename } from './attachments.js';
export { decryptRecord, decryptRecordJson, type DecryptDataFn, type DecryptedRecord } from './decrypt-record.js';
export {
  type ChatDataResponse,
  type EncryptedRecord,
  type FinanceClient,
  type MediaChunk,
  MAX_CHATDATA_LIMIT,
  MAX_MEDIA_CHUNK,
  SDK_ERRORS,
  SdkError,
} from './client.js';
