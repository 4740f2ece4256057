/**
 * Runs binary extractions (PDF, Word, Excel, PowerPoint) on a small pool of worker threads
 * (piscina), each file bounded in time (the worker is terminated at the deadline) and memory
 * (the worker's V8 heap limit). Every outcome is a value: a file that cannot be read comes back
 * `failed`, `timeout` or `too-large` with its reason, never as an exception to the indexer.
 */
import { Piscina } from 'piscina';
import { poolThreadModule } from '../../../core/sibling-module.js';
import type { ReadableFormat } from './binary.js';
import { EXTRACT_TIMEOUT_MS, MAX_TEXT_CHARS, WORKER_HEAP_MB } from './limits.js';

export interface BinaryOutcome {
  status: 'ok' | 'failed' | 'timeout' | 'too-large';
  text: string;
  reason?: string;
}

export interface ExtractPoolOptions {
  /** worker threads (default 1: indexing must not take the cores capture and rendering need) */
  threads?: number;
  /** per file (ms) */
  timeoutMs?: number;
  /** V8 old-generation heap per worker (MB) */
  heapMb?: number;
}

export interface ExtractPool {
  /** `timeoutMs` overrides the pool's deadline for this file */
  run(format: ReadableFormat, bytes: Uint8Array, opts?: { timeoutMs?: number }): Promise<BinaryOutcome>;
  close(): Promise<void>;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** What a worker's failure means for the file: the heap limit and our own limits are `too-large`. */
function failure(err: unknown, heapMb: number): BinaryOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { status: 'too-large', text: '', reason: `needs more than ${heapMb} MB of memory to read` };
  }
  if (err instanceof Error && err.name === 'ExtractLimitError') {
    return { status: 'too-large', text: '', reason: err.message };
  }
  return { status: 'failed', text: '', reason: errorText(err).slice(0, 500) };
}

export function createExtractPool(opts: ExtractPoolOptions = {}): ExtractPool {
  const worker = poolThreadModule(import.meta.url, './worker');
  const heapMb = opts.heapMb ?? WORKER_HEAP_MB;
  const timeoutMs = opts.timeoutMs ?? EXTRACT_TIMEOUT_MS;
  const threads = opts.threads ?? 1;
  const pool = new Piscina({
    filename: worker.path,
    minThreads: 0,
    maxThreads: threads,
    // A worker is kept a while for the next file (loading pdf.js costs ~100 ms), then let go.
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, heapMb / 4) },
    execArgv: worker.execArgv,
  });
  // The clock of a file starts when a worker is free for it, not while it waits in line: at
  // most `threads` files are handed to the pool at once.
  let busy = 0;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (busy < threads) {
      busy += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else busy -= 1;
  };
  return {
    async run(format, bytes, runOpts) {
      const deadline = runOpts?.timeoutMs ?? timeoutMs;
      await acquire();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      try {
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, deadline);
        // The worker gets its own copy of exactly these bytes, moved rather than cloned: a view
        // into a larger buffer would otherwise send the whole buffer, and the caller keeps its own.
        const own = new Uint8Array(bytes);
        const text = (await pool.run(
          { format, bytes: own },
          { signal: controller.signal, transferList: [own.buffer] },
        )) as string;
        if (text.length > MAX_TEXT_CHARS) {
          return {
            status: 'ok',
            text: text.slice(0, MAX_TEXT_CHARS),
            reason: `text cut at ${MAX_TEXT_CHARS} characters`,
          };
        }
        return { status: 'ok', text };
      } catch (err) {
        if (timedOut) return { status: 'timeout', text: '', reason: `not read within ${deadline / 1000} s` };
        return failure(err, heapMb);
      } finally {
        clearTimeout(timer);
        release();
      }
    },
    close: () => pool.destroy(),
  };
}
