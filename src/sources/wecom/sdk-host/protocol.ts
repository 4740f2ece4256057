/**
 * The messages between the SDK host's supervisor (parent) and the host process that loads the
 * vendor library (child). Sent with Node's `advanced` IPC serialization, so Buffers cross as is.
 */

/** What the parent asks the library to do; each is an idempotent read, so it may be repeated. */
export type HostRequest =
  | { op: 'chat'; seq: string; limit: number }
  | { op: 'decrypt'; encryptKey: string; encryptChatMsg: string }
  | { op: 'media'; sdkfileid: string; indexbuf: string };

/** The library's answer: its result code and, on 0, what it wrote into the Slice or MediaData. */
export interface HostReply {
  /** the library's int result (0 = success); -1 when our own code in the child threw */
  code: number;
  /** chat: the JSON document; decrypt: the message bytes; media: the chunk */
  body?: Uint8Array;
  outIndexBuf?: string;
  isFinish?: boolean;
  /** set with code -1: what went wrong in the child */
  error?: string;
}

export interface InitMessage {
  type: 'init';
  libraryPath: string;
  corpId: string;
  /** sent over the IPC channel, never in argv or the environment, where `ps` would show it */
  secret: string;
  proxy: string;
  passwd: string;
  /** the library's own `timeout` argument, seconds */
  sdkTimeoutSec: number;
}

/**
 * Requests travel in batches (one IPC message costs far more than a DecryptData): the host runs
 * a batch's calls in order and answers the batch in one message. The parent sends a network call
 * (chat, media) alone, so a batch never waits on more than one network timeout.
 */
export type ParentMessage =
  InitMessage | { type: 'calls'; calls: { id: number; req: HostRequest }[] } | { type: 'close' };

export type ChildMessage =
  | { type: 'ready' }
  /** `load`: the library file cannot be loaded; `init`: Init returned `code` (the SDK is never used) */
  | { type: 'init-failed'; stage: 'load' | 'init'; code?: number; message: string }
  | { type: 'replies'; replies: ({ id: number } & HostReply)[] };

/** A request as error messages and logs name it (never message content). */
export function describeRequest(req: HostRequest): string {
  if (req.op === 'chat') return `GetChatData(seq ${req.seq}, limit ${req.limit})`;
  if (req.op === 'media') return `GetMediaData(${req.sdkfileid.slice(0, 24)}…, "${req.indexbuf}")`;
  return 'DecryptData';
}
