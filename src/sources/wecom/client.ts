/**
 * The seam between the archive's pull logic and whatever answers it: Tencent's Finance SDK
 * (loaded through FFI in a child process) or the sandbox tenant. Shaped after the C
 * interface in the vendor documentation so both behave alike.
 */

/** One entry of GetChatData's `chatdata` array, as the service sends it (still encrypted). */
export interface EncryptedRecord {
  /** uint64 cursor as a decimal string: it can exceed 2^53 */
  seq: string;
  msgid: string;
  publickey_ver: number;
  /** base64 of an RSA-2048 PKCS#1 v1.5 ciphertext */
  encrypt_random_key: string;
  /** opaque, handed to DecryptData as is */
  encrypt_chat_msg: string;
}

/** GetChatData's JSON document. `chatdata` may be missing when there is nothing new. */
export interface ChatDataResponse {
  errcode: number;
  errmsg: string;
  chatdata?: EncryptedRecord[];
}

/** One GetMediaData chunk (at most 512 KB). */
export interface MediaChunk {
  data: Buffer;
  /** pass back as `indexbuf` for the next chunk */
  outIndexBuf: string;
  isFinish: boolean;
}

export const MAX_MEDIA_CHUNK = 512 * 1024;
export const MAX_CHATDATA_LIMIT = 1000;

export interface FinanceClient {
  /** messages with seq greater than `seq`, at most `limit` (1..1000) */
  getChatData(seq: string, limit: number): Promise<ChatDataResponse>;
  /** DecryptData: `encryptKey` is the RSA-decrypted random key string */
  decryptData(encryptKey: string, encryptChatMsg: string): Promise<Buffer>;
  /** one chunk of a media file; first call with indexbuf "" */
  getMediaData(sdkfileid: string, indexbuf: string): Promise<MediaChunk>;
  /** the source's newest seq, when it can tell (the vendor library cannot; the sandbox can) */
  headSeq?(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** WeCom Finance SDK result codes (library return values), from the vendor documentation. */
export const SDK_ERRORS: Record<number, { meaning: string; retry: boolean }> = {
  10000: { meaning: 'parameter error', retry: false },
  10001: { meaning: 'network error', retry: true },
  10002: { meaning: 'data parse failure', retry: true },
  10003: { meaning: 'system failure', retry: true },
  10004: { meaning: 'key error caused encryption failure', retry: false },
  10005: { meaning: 'bad fileid', retry: false },
  10006: { meaning: 'decryption failed', retry: false },
  10007: { meaning: "no private key for this message's key version", retry: false },
  10008: { meaning: 'error parsing encrypt_key', retry: false },
  10009: { meaning: 'illegal IP (not on the allow-list)', retry: false },
  10010: { meaning: 'data expired', retry: false },
  10011: { meaning: 'certificate error', retry: false },
};

/** Thrown by a FinanceClient when the library returns a non-zero code. */
export class SdkError extends Error {
  readonly sdkCode: number;
  constructor(sdkCode: number, message?: string) {
    super(message ?? `Finance SDK error ${sdkCode}: ${SDK_ERRORS[sdkCode]?.meaning ?? 'unknown code'}`);
    this.name = 'SdkError';
    this.sdkCode = sdkCode;
  }
}
