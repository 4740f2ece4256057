/**
 * Parses uploaded mapping files on a worker thread, so a large or hostile file (a million
 * lines takes the parser tens of seconds and a gigabyte) never stalls the process's event loop:
 * the console keeps answering and a run in the same process keeps archiving. Only the bounded
 * summary crosses back. One thread, a short queue, a heap cap: a file that would need more
 * memory fails alone with a clear error instead of taking the server down.
 */
import { Piscina } from 'piscina';
import { ArchiverError } from '../core/errors.js';
import { poolThreadModule } from '../core/sibling-module.js';
import type { ParseTask } from './parse-worker.js';
import type { MappingSummary, SummaryLimits } from './summary.js';

export interface MappingParser {
  parse(text: string, fileName: string, limits: SummaryLimits): Promise<MappingSummary>;
  close(): Promise<void>;
}

export interface MappingParserOptions {
  /** parses in flight at once (default 1: parsing is CPU-bound and the archive needs the cores) */
  threads?: number;
  /** uploads waiting beyond those (default 4); more are refused as busy */
  maxQueue?: number;
  /** heap of a parsing thread in MiB (default 3072: a 25 MiB file of one-character lines needs about 2 GiB) */
  maxHeapMb?: number;
  /** a parsing thread with nothing to do ends after this long (ms, default 30 s) */
  idleTimeoutMs?: number;
}

export function createMappingParser(opts: MappingParserOptions = {}): MappingParser {
  const worker = poolThreadModule(import.meta.url, './parse-worker');
  const threads = opts.threads ?? 1;
  let pool: Piscina | undefined;
  // Made on first use: most processes never parse an upload, and an idle pool holds no thread.
  const get = () =>
    (pool ??= new Piscina({
      filename: worker.path,
      minThreads: 0,
      maxThreads: threads,
      maxQueue: opts.maxQueue ?? 4,
      idleTimeout: opts.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 3072 },
      execArgv: worker.execArgv,
    }));
  return {
    async parse(text, fileName, limits) {
      const task: ParseTask = { text, fileName, limits };
      try {
        return (await get().run(task)) as MappingSummary;
      } catch (err) {
        throw parseFailure(err, fileName);
      }
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
  };
}

function parseFailure(err: unknown, fileName: string): unknown {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new ArchiverError(
      'WXA_BODY_TOO_LARGE',
      `${fileName} is too large to check here (the check ran out of memory); split it into smaller files, or check it with \`wechat-archiver mapping check\``,
      { cause: err },
    );
  }
  if (/queue is at limit/i.test(message)) {
    return new ArchiverError(
      'WXA_SERVER_BUSY',
      `other mapping files are being checked; try ${fileName} again in a minute`,
      { cause: err },
    );
  }
  return err;
}
