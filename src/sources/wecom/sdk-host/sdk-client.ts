/**
 * The production FinanceClient: Tencent's Finance SDK run in a supervised host process (see
 * host-process.ts), with what the library leaves to its caller: the service's JSON errcode
 * checked as well as the C result, passing failures retried with backoff, GetChatData kept
 * under WeCom's 600 calls a minute, and every failure classified (classify.ts).
 */
import { ArchiverError } from '../../../core/errors.js';
import type { ChatDataResponse, FinanceClient, MediaChunk } from '../client.js';
import { MAX_CHATDATA_LIMIT, SdkError } from '../client.js';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import { ChatDataMalformed, parseChatData } from './chatdata.js';
import { isRetryableCode, libraryError, serviceError } from './classify.js';
import { HostProcess } from './host-process.js';
import type { HostReply, HostRequest } from './protocol.js';
import { GET_CHAT_DATA_LIMIT, TokenBucket, type RateLimit } from './rate-limit.js';
import type { HostLogger, HostStats } from './types.js';

const MAX_SEQ = (1n << 64n) - 1n;

export interface SdkClientOptions {
  /** path of libWeWorkFinanceSdk_C.so */
  libraryPath: string;
  corpId: string;
  /** the conversation-archive secret (not an app secret) */
  secret: string;
  /** e.g. socks5://host:port or http://host:port; empty for none */
  proxy?: string;
  /** proxy credentials, user:pass */
  passwd?: string;
  /** watchdog, ms: a call that takes longer kills the host process (must exceed sdkTimeoutSec) */
  timeoutMs: number;
  /** watchdog for the host's start (library load and Init), ms (default the larger of timeoutMs and 30 s) */
  startTimeoutMs?: number;
  /** the library's own network timeout, seconds (default 5, the vendor's recommendation) */
  sdkTimeoutSec?: number;
  /** retries of 10001-10003 and busy answers (default 5 attempts, 500 ms doubling to 15 s) */
  retry?: Partial<RetryPolicy>;
  /** restarts of a crashed or hung host (default 3 attempts per call, 200 ms doubling to 10 s) */
  restart?: Partial<RestartPolicy>;
  /** GetChatData calls per minute (default WeCom's 600, burst 20) */
  rateLimit?: RateLimit;
  /** batches sent to the host ahead of the running one (default 4) */
  window?: number;
  /** DecryptData calls per IPC message (default 64) */
  batchSize?: number;
  /** extra environment for the host process */
  env?: Record<string, string>;
  logger?: HostLogger;
}

export interface RetryPolicy extends BackoffPolicy {
  /** calls in all, the first included */
  attempts: number;
}

export interface RestartPolicy extends BackoffPolicy {
  /** times one call may be running when its host dies before it fails */
  maxCallAttempts: number;
  /** failed host starts in a row before waiting calls fail */
  maxStartFailures: number;
}

export interface SdkClient extends FinanceClient {
  /** how the host processes fared (starts, crashes, hangs) */
  readonly stats: HostStats;
}

/** A failure worth another try; `final` is thrown when the tries run out. */
class RetryLater {
  constructor(readonly final: Error) {}
}

function toBuffer(bytes: Uint8Array | undefined): Buffer {
  if (!bytes) return Buffer.alloc(0);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function invalid(what: string): never {
  throw new ArchiverError('WXA_CONFIG_INVALID', `Finance SDK client: ${what}`);
}

class FinanceSdkClient implements SdkClient {
  private readonly host: HostProcess;
  private readonly limiter: TokenBucket;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: SdkClientOptions) {
    const sdkTimeoutSec = opts.sdkTimeoutSec ?? 5;
    if (!opts.libraryPath) invalid('libraryPath is empty');
    if (!opts.corpId) invalid('corpId is empty');
    if (!Number.isInteger(sdkTimeoutSec) || sdkTimeoutSec < 1) invalid(`sdkTimeoutSec ${sdkTimeoutSec} must be >= 1`);
    if (!(opts.timeoutMs > sdkTimeoutSec * 1000)) {
      invalid(`timeoutMs ${opts.timeoutMs} must exceed the library's own timeout (${sdkTimeoutSec} s)`);
    }
    this.retry = { attempts: 5, baseMs: 500, maxMs: 15_000, ...opts.retry };
    const restart: RestartPolicy = {
      baseMs: 200,
      maxMs: 10_000,
      maxCallAttempts: 3,
      maxStartFailures: 3,
      ...opts.restart,
    };
    this.limiter = new TokenBucket(opts.rateLimit ?? GET_CHAT_DATA_LIMIT);
    this.host = new HostProcess({
      libraryPath: opts.libraryPath,
      corpId: opts.corpId,
      secret: opts.secret,
      proxy: opts.proxy ?? '',
      passwd: opts.passwd ?? '',
      sdkTimeoutSec,
      timeoutMs: opts.timeoutMs,
      startTimeoutMs: opts.startTimeoutMs ?? Math.max(opts.timeoutMs, 30_000),
      restart,
      maxCallAttempts: restart.maxCallAttempts,
      maxStartFailures: restart.maxStartFailures,
      window: opts.window ?? 4,
      batchSize: opts.batchSize ?? 64,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  get stats(): HostStats {
    return { ...this.host.stats };
  }

  /** Run `attempt` until it returns, retrying a RetryLater with backoff and jitter. */
  private async withRetry<T>(call: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof RetryLater)) throw err;
        if (n + 1 >= this.retry.attempts) throw err.final;
        const delay = backoffDelay(n, this.retry);
        this.opts.logger?.warn({ call, attempt: n + 1, delay, err: err.final }, 'Finance SDK call failed; will retry');
        await sleep(delay);
      }
    }
  }

  /** One library call: a retryable code becomes RetryLater, another the classified error. */
  private async invoke(req: HostRequest, call: string): Promise<HostReply> {
    const reply = await this.host.call(req);
    if (reply.code === 0) return reply;
    const err = libraryError(reply.code, call, this.opts.corpId, reply.error);
    throw isRetryableCode(reply.code) ? new RetryLater(err) : err;
  }

  getChatData(seq: string, limit: number): Promise<ChatDataResponse> {
    if (typeof seq !== 'string' || !/^\d{1,20}$/.test(seq) || BigInt(seq) > MAX_SEQ) {
      return Promise.reject(new SdkError(10000, `seq ${String(seq)} is not an unsigned 64-bit decimal`));
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHATDATA_LIMIT) {
      return Promise.reject(new SdkError(10000, `limit ${limit} is outside 1..${MAX_CHATDATA_LIMIT}`));
    }
    return this.withRetry('GetChatData', async () => {
      await this.limiter.take();
      const reply = await this.invoke({ op: 'chat', seq, limit }, 'GetChatData');
      let doc: ChatDataResponse;
      try {
        doc = parseChatData(reply.body ?? new Uint8Array());
      } catch (err) {
        if (err instanceof ChatDataMalformed) throw new RetryLater(new SdkError(10002, err.message));
        throw err;
      }
      if (doc.errcode === 0) return doc;
      const err = serviceError(doc.errcode, doc.errmsg, this.opts.corpId);
      if (err) throw err;
      throw new RetryLater(
        new ArchiverError(
          'WXA_SOURCE_FAILED',
          `WeCom stayed busy (errcode ${doc.errcode}); will retry on the next run`,
        ),
      );
    });
  }

  decryptData(encryptKey: string, encryptChatMsg: string): Promise<Buffer> {
    return this.withRetry('DecryptData', async () =>
      toBuffer((await this.invoke({ op: 'decrypt', encryptKey, encryptChatMsg }, 'DecryptData')).body),
    );
  }

  getMediaData(sdkfileid: string, indexbuf: string): Promise<MediaChunk> {
    if (typeof sdkfileid !== 'string' || sdkfileid === '' || typeof indexbuf !== 'string') {
      return Promise.reject(new SdkError(10000, 'GetMediaData needs an sdkfileid and an indexbuf string'));
    }
    return this.withRetry('GetMediaData', async () => {
      const reply = await this.invoke({ op: 'media', sdkfileid, indexbuf }, 'GetMediaData');
      return { data: toBuffer(reply.body), outIndexBuf: reply.outIndexBuf ?? '', isFinish: reply.isFinish === true };
    });
  }

  close(): Promise<void> {
    return this.host.close();
  }
}

/**
 * A FinanceClient over the vendor library at `libraryPath`. The host process starts on the
 * first call; close() waits for the calls under way, destroys the SDK and ends the process.
 */
export function createSdkClient(opts: SdkClientOptions): SdkClient {
  return new FinanceSdkClient(opts);
}
