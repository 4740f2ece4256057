/**
 * The vendor library's C interface through koffi, and one SDK session over it. Runs only inside
 * the host process. Every Slice and MediaData is freed in a `finally`, and the library's buffers
 * are copied into Node memory before they are freed: the leaks and use-after-free bugs other
 * bindings report came from exactly these two paths.
 */
import koffi, { type TypeObject } from 'koffi';
import type { HostReply } from './protocol.js';

/** Opaque handles: koffi gives pointers as bigint (null for NULL); only the library looks inside. */
type Ptr = unknown;

/** The exported functions, typed as the vendor header declares them. */
export interface FinanceLibrary {
  NewSdk(): Ptr;
  Init(sdk: Ptr, corpid: string, secret: string): number;
  GetChatData(sdk: Ptr, seq: bigint, limit: number, proxy: string, passwd: string, timeout: number, out: Ptr): number;
  DecryptData(encryptKey: string, encryptMsg: string, out: Ptr): number;
  GetMediaData(
    sdk: Ptr,
    indexbuf: string,
    sdkfileid: string,
    proxy: string,
    passwd: string,
    timeout: number,
    out: Ptr,
  ): number;
  DestroySdk(sdk: Ptr): void;
  NewSlice(): Ptr;
  FreeSlice(slice: Ptr): void;
  GetContentFromSlice(slice: Ptr): Ptr;
  GetSliceLen(slice: Ptr): number;
  NewMediaData(): Ptr;
  FreeMediaData(media: Ptr): void;
  GetOutIndexBuf(media: Ptr): Ptr;
  GetData(media: Ptr): Ptr;
  GetIndexLen(media: Ptr): number;
  GetDataLen(media: Ptr): number;
  IsMediaDataFinish(media: Ptr): number;
}

/**
 * Load the library and bind every function; throws (koffi's message) when the file cannot be
 * loaded or lacks a symbol. Buffers are declared `void *` rather than `char *` so that koffi
 * hands back the pointer instead of a NUL-terminated string: the lengths come from the library.
 */
export function loadFinanceLibrary(path: string): FinanceLibrary {
  const lib = koffi.load(path);
  // anonymous types: named ones live in a process-wide registry and could collide
  const sdk = koffi.pointer(koffi.opaque());
  const slice = koffi.pointer(koffi.opaque());
  const media = koffi.pointer(koffi.opaque());
  const str = 'const char *';
  const fn = (name: string, result: TypeObject | string, args: (TypeObject | string)[]) => lib.func(name, result, args);
  const bound = {
    NewSdk: fn('NewSdk', sdk, []),
    Init: fn('Init', 'int', [sdk, str, str]),
    GetChatData: fn('GetChatData', 'int', [sdk, 'unsigned long long', 'unsigned int', str, str, 'int', slice]),
    DecryptData: fn('DecryptData', 'int', [str, str, slice]),
    GetMediaData: fn('GetMediaData', 'int', [sdk, str, str, str, str, 'int', media]),
    DestroySdk: fn('DestroySdk', 'void', [sdk]),
    NewSlice: fn('NewSlice', slice, []),
    FreeSlice: fn('FreeSlice', 'void', [slice]),
    GetContentFromSlice: fn('GetContentFromSlice', 'void *', [slice]),
    GetSliceLen: fn('GetSliceLen', 'int', [slice]),
    NewMediaData: fn('NewMediaData', media, []),
    FreeMediaData: fn('FreeMediaData', 'void', [media]),
    GetOutIndexBuf: fn('GetOutIndexBuf', 'void *', [media]),
    GetData: fn('GetData', 'void *', [media]),
    GetIndexLen: fn('GetIndexLen', 'int', [media]),
    GetDataLen: fn('GetDataLen', 'int', [media]),
    IsMediaDataFinish: fn('IsMediaDataFinish', 'int', [media]),
  };
  return bound as FinanceLibrary;
}

/** A copy of `len` bytes at `ptr`: the library frees its buffer right after. */
function copyOut(ptr: Ptr, len: number): Buffer {
  if (len <= 0 || ptr === null || ptr === 0n) return Buffer.alloc(0);
  return Buffer.from(new Uint8Array(koffi.view(ptr, len)));
}

/** Init returned non-zero: the SDK must not be used, not even destroyed (bindings report crashes). */
export class InitFailed extends Error {
  constructor(readonly code: number) {
    super(`Init returned ${code}`);
    this.name = 'InitFailed';
  }
}

export interface SessionSettings {
  proxy: string;
  passwd: string;
  sdkTimeoutSec: number;
}

/**
 * One SDK instance (NewSdk + Init once), destroyed once and never during a call. Calls are
 * synchronous: the host process serves one request at a time, so nothing else can run while
 * the library works, and the parent's watchdog covers a call that never returns.
 */
export class SdkSession {
  private destroyed = false;
  private inFlight = 0;

  private constructor(
    private readonly lib: FinanceLibrary,
    private readonly sdk: Ptr,
    private readonly settings: SessionSettings,
  ) {}

  static open(lib: FinanceLibrary, corpId: string, secret: string, settings: SessionSettings): SdkSession {
    const sdk = lib.NewSdk();
    if (sdk === null || sdk === 0n) throw new InitFailed(10003);
    const code = lib.Init(sdk, corpId, secret);
    if (code !== 0) throw new InitFailed(code);
    return new SdkSession(lib, sdk, settings);
  }

  private enter(): void {
    if (this.destroyed) throw new Error('the SDK session was destroyed');
    this.inFlight++;
  }

  getChatData(seq: string, limit: number): HostReply {
    this.enter();
    const { proxy, passwd, sdkTimeoutSec } = this.settings;
    const slice = this.lib.NewSlice();
    try {
      const code = this.lib.GetChatData(this.sdk, BigInt(seq), limit, proxy, passwd, sdkTimeoutSec, slice);
      if (code !== 0) return { code };
      return { code, body: copyOut(this.lib.GetContentFromSlice(slice), this.lib.GetSliceLen(slice)) };
    } finally {
      this.lib.FreeSlice(slice);
      this.inFlight--;
    }
  }

  /** DecryptData takes no SDK argument in the C interface (passing one is a known cause of 10008). */
  decryptData(encryptKey: string, encryptChatMsg: string): HostReply {
    this.enter();
    const slice = this.lib.NewSlice();
    try {
      const code = this.lib.DecryptData(encryptKey, encryptChatMsg, slice);
      if (code !== 0) return { code };
      return { code, body: copyOut(this.lib.GetContentFromSlice(slice), this.lib.GetSliceLen(slice)) };
    } finally {
      this.lib.FreeSlice(slice);
      this.inFlight--;
    }
  }

  getMediaData(sdkfileid: string, indexbuf: string): HostReply {
    this.enter();
    const { proxy, passwd, sdkTimeoutSec } = this.settings;
    const media = this.lib.NewMediaData();
    try {
      const code = this.lib.GetMediaData(this.sdk, indexbuf, sdkfileid, proxy, passwd, sdkTimeoutSec, media);
      if (code !== 0) return { code };
      return {
        code,
        body: copyOut(this.lib.GetData(media), this.lib.GetDataLen(media)),
        outIndexBuf: copyOut(this.lib.GetOutIndexBuf(media), this.lib.GetIndexLen(media)).toString('latin1'),
        isFinish: this.lib.IsMediaDataFinish(media) === 1,
      };
    } finally {
      this.lib.FreeMediaData(media);
      this.inFlight--;
    }
  }

  /** DestroySdk, once, and only with no call in flight. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.inFlight > 0) throw new Error('DestroySdk refused: a call is in flight');
    this.destroyed = true;
    this.lib.DestroySdk(this.sdk);
  }
}
