/**
 * The sandbox tenant behind the FinanceClient seam: answers GetChatData, DecryptData and
 * GetMediaData from a generated dataset as the vendor library answers them (seq cursor, limit
 * 1..1000, chatdata omitted when nothing is new, 512 KB media chunks with `Range:bytes=` index
 * buffers, the library's error codes). A fake of Tencent's service, which cannot run here.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirectorySnapshot } from '../../core/directory.js';
import type { ChatDataResponse, FinanceClient, MediaChunk } from '../wecom/client.js';
import { MAX_CHATDATA_LIMIT, MAX_MEDIA_CHUNK, SdkError } from '../wecom/client.js';
import { ChatdataIndex } from './chatdata-index.js';
import { sandboxDecryptData } from './encrypt.js';
import { KEYS_DIR, WITHHELD_DIR } from './keys.js';
import type { MediaIndexEntry } from './media.js';
import { INDEX_FILE, readMediaIndex } from './media.js';
import type { TenantInfo, TenantSummary } from './tenant.js';
import { CHATDATA_FILE, MEDIA_DIR, readTenant, summaryOf } from './tenant.js';

const MAX_SEQ = (1n << 64n) - 1n;
const RANGE = /^Range:bytes=(\d+)-(\d+)$/;

export type SandboxCall = 'getChatData' | 'decryptData' | 'getMediaData';

export interface SandboxClientOptions {
  /**
   * Called before each call is answered; throw (e.g. `new SdkError(10001)`) to simulate the
   * service's failures: daily network errors, expired data, a refused IP.
   */
  inject?: (call: SandboxCall, n: number) => void;
}

export class SandboxClient implements FinanceClient {
  /** keys/: the private keys an archive should be configured with */
  readonly keysDir: string;
  /** keys-withheld/: keys that are not configured at first (fault `missingKeyVersion`) */
  readonly withheldKeysDir: string;
  private media = new Map<string, MediaIndexEntry>();
  /** inode, mtime and size of the media/index.json last read (it is replaced by rename on append) */
  private mediaIndexVersion = '';
  private closed = false;
  private calls = 0;

  private constructor(
    readonly dir: string,
    private readonly info: TenantInfo,
    private readonly index: ChatdataIndex,
    private readonly opts: SandboxClientOptions,
  ) {
    this.keysDir = join(dir, KEYS_DIR);
    this.withheldKeysDir = join(dir, WITHHELD_DIR);
  }

  static async open(dir: string, opts: SandboxClientOptions = {}): Promise<SandboxClient> {
    const info = await readTenant(dir);
    const index = new ChatdataIndex(join(dir, CHATDATA_FILE));
    await index.refresh();
    const client = new SandboxClient(dir, info, index, opts);
    await client.reloadMedia();
    return client;
  }

  get corpId(): string {
    return this.info.corpId;
  }

  directory(): DirectorySnapshot {
    return this.info.directory;
  }

  /** tenant.json as it was when the client opened (appends change counts, not the directory) */
  summary(): TenantSummary {
    return summaryOf(this.info);
  }

  private enter(call: SandboxCall): void {
    if (this.closed) throw new SdkError(10000, 'sandbox client is closed');
    this.opts.inject?.(call, ++this.calls);
  }

  async getChatData(seq: string, limit: number): Promise<ChatDataResponse> {
    this.enter('getChatData');
    if (typeof seq !== 'string' || !/^\d{1,20}$/.test(seq) || BigInt(seq) > MAX_SEQ) {
      throw new SdkError(10000, `seq ${String(seq)} is not an unsigned 64-bit decimal`);
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHATDATA_LIMIT) {
      throw new SdkError(10000, `limit ${limit} is outside 1..${MAX_CHATDATA_LIMIT}`);
    }
    await this.index.refresh();
    const from = this.index.firstAfter(BigInt(seq));
    const records = await this.index.read(from, Math.min(this.index.size, from + limit));
    return records.length > 0 ? { errcode: 0, errmsg: 'ok', chatdata: records } : { errcode: 0, errmsg: 'ok' };
  }

  /** The newest seq the tenant holds: lets the archive report how many records it is behind. */
  async headSeq(): Promise<string | undefined> {
    await this.index.refresh();
    return this.index.lastSeq?.toString();
  }

  async decryptData(encryptKey: string, encryptChatMsg: string): Promise<Buffer> {
    this.enter('decryptData');
    return sandboxDecryptData(encryptKey, encryptChatMsg);
  }

  private async reloadMedia(): Promise<void> {
    const mediaDir = join(this.dir, MEDIA_DIR);
    let version: string;
    try {
      const st = await stat(join(mediaDir, INDEX_FILE));
      version = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return;
    }
    if (version === this.mediaIndexVersion) return;
    this.media = new Map(Object.entries(await readMediaIndex(mediaDir)));
    this.mediaIndexVersion = version;
  }

  /**
   * One chunk of at most 512 KB. An unknown sdkfileid gives 10005; an indexed file whose bytes
   * were removed gives 10010 (data expired), so tests can simulate media past retention.
   */
  async getMediaData(sdkfileid: string, indexbuf: string): Promise<MediaChunk> {
    this.enter('getMediaData');
    let entry = this.media.get(sdkfileid);
    if (!entry) {
      await this.reloadMedia();
      entry = this.media.get(sdkfileid);
    }
    if (!entry) throw new SdkError(10005);
    let start = 0;
    if (indexbuf !== '') {
      const m = RANGE.exec(indexbuf);
      if (!m) throw new SdkError(10000, `indexbuf ${JSON.stringify(indexbuf)} is not a Range:bytes= index`);
      start = Number(m[1]);
    }
    if (start > entry.size || (start === entry.size && entry.size > 0)) {
      throw new SdkError(10000, `indexbuf ${indexbuf} is past the end of the file`);
    }
    const end = Math.min(entry.size, start + MAX_MEDIA_CHUNK);
    const data = Buffer.alloc(end - start);
    let fh;
    try {
      fh = await open(join(this.dir, MEDIA_DIR, entry.file), 'r');
    } catch {
      throw new SdkError(10010);
    }
    try {
      const { bytesRead } = await fh.read(data, 0, data.length, start);
      if (bytesRead !== data.length) throw new SdkError(10010, `media file ${entry.file} is shorter than indexed`);
    } finally {
      await fh.close();
    }
    const isFinish = end >= entry.size;
    const outIndexBuf = isFinish ? '' : `Range:bytes=${end}-${Math.min(end + MAX_MEDIA_CHUNK, entry.size) - 1}`;
    return { data, outIndexBuf, isFinish };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Open the sandbox tenant written in `dir` by generateTenant. */
export function openSandbox(dir: string, opts?: SandboxClientOptions): Promise<SandboxClient> {
  return SandboxClient.open(dir, opts);
}
