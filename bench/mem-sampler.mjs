/**
 * Preloaded into the archiver by a pipeline benchmark variant (`--import=./bench/mem-sampler.mjs`
 * with `WXA_BENCH_MEM_OUT=file`) to say what its memory is made of over a run: /proc's view
 * (smaps_rollup: anonymous and file-backed), the main thread's V8 heap by space and the bytes it
 * holds outside the heap (Buffers), and glibc's arenas (mallinfo2: in use, free but kept, mapped
 * on their own), plus the largest anonymous mappings now and then. One JSON line per sample.
 * Node 20 cannot read a worker thread's heap from outside it, so the sampler also runs inside
 * each thread the archiver starts (`thread` lines: that thread's V8 heap): it wraps
 * worker_threads' Worker, which the thread pool takes when it loads, after this preload.
 * `WXA_BENCH_HEAP_SNAPSHOT_AT=ms` also writes one heap snapshot of the main thread at that time
 * (beside the output file), to see what its live heap is made of.
 */
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { setInterval, setTimeout } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const out = process.env.WXA_BENCH_MEM_OUT;
const everyMs = Number(process.env.WXA_BENCH_MEM_EVERY_MS ?? 1000);
const MB = 1024 * 1024;
const round = (n) => Math.round(n * 10) / 10;

let mallinfo;
try {
  const koffi = (await import('koffi')).default;
  const Info = koffi.struct('mallinfo2_t', {
    arena: 'size_t',
    ordblks: 'size_t',
    smblks: 'size_t',
    hblks: 'size_t',
    hblkhd: 'size_t',
    usmblks: 'size_t',
    fsmblks: 'size_t',
    uordblks: 'size_t',
    fordblks: 'size_t',
    keepcost: 'size_t',
  });
  mallinfo = koffi.load('libc.so.6').func(`${koffi.type(Info).name} mallinfo2()`);
} catch {
  mallinfo = undefined;
}

function rollup() {
  const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) / 1024;
  return { rss: round(kb('Rss')), anon: round(kb('Anonymous')), file: round(kb('Rss') - kb('Anonymous')) };
}

/** The largest anonymous mappings by resident size, with their virtual size (arenas reserve 64 MB). */
function topAnon(n = 8) {
  const maps = [];
  let cur;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      cur = { size: (parseInt(head[2], 16) - parseInt(head[1], 16)) / MB, name: head[3] || '[anon]', rss: 0 };
      maps.push(cur);
    } else if (cur && line.startsWith('Rss:')) cur.rss = Number(/(\d+)/.exec(line)[1]) / 1024;
  }
  const anon = maps.filter((m) => m.name === '[anon]' || m.name === '[heap]');
  const small = anon.filter((m) => m.size <= 1);
  return {
    // V8's pages are 256 KiB mappings; malloc's mapped chunks and thread stacks are the rest
    smallMappingsMB: round(small.reduce((a, m) => a + m.rss, 0)),
    smallMappings: small.length,
    top: anon
      .sort((a, b) => b.rss - a.rss)
      .slice(0, n)
      .map((m) => `${m.name} ${round(m.rss)}/${round(m.size)}`),
  };
}

const t0 = performance.now();
let k = 0;
function sample() {
  const mu = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), round(s.space_size / MB)]),
  );
  const m = mallinfo?.();
  const line = {
    at: Math.round(performance.now() - t0),
    proc: rollup(),
    heapTotal: round(mu.heapTotal / MB),
    heapUsed: round(mu.heapUsed / MB),
    external: round(mu.external / MB),
    arrayBuffers: round(mu.arrayBuffers / MB),
    spaces,
    malloc: m && {
      arena: round(Number(m.arena) / MB),
      inUse: round(Number(m.uordblks) / MB),
      free: round(Number(m.fordblks) / MB),
      mapped: round(Number(m.hblkhd) / MB),
      mappedChunks: Number(m.hblks),
    },
    ...(k++ % 10 === 0 ? { anon: topAnon() } : {}),
  };
  appendFileSync(out, JSON.stringify(line) + '\n');
}

function sampleThread() {
  const mu = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), round(s.space_size / MB)]),
  );
  const line = {
    at: Math.round(performance.now() - t0),
    thread: threadId,
    heapTotal: round(mu.heapTotal / MB),
    heapUsed: round(mu.heapUsed / MB),
    spaces,
  };
  appendFileSync(out, JSON.stringify(line) + '\n');
}

/** Each new thread first loads this module, then its own entry file. */
function wrapWorkers() {
  const threads = createRequire(import.meta.url)('node:worker_threads');
  const Base = threads.Worker;
  const self = import.meta.url;
  threads.Worker = class extends Base {
    constructor(filename, options = {}) {
      if (options.eval) {
        super(filename, options);
        return;
      }
      const target = filename instanceof URL ? filename.href : pathToFileURL(String(filename)).href;
      super(`import(${JSON.stringify(self)}).then(() => import(${JSON.stringify(target)}))`, {
        ...options,
        eval: true,
      });
      started.push(this);
    }
  };
}

/** Threads started so far, for the heap snapshot of the first. */
const started = [];

async function snapshotThread(file) {
  const thread = started.find((w) => w.threadId > 0);
  if (!thread) return;
  const stream = await thread.getHeapSnapshot();
  await pipeline(stream, createWriteStream(file));
}

if (out && isMainThread) {
  wrapWorkers();
  setInterval(sample, everyMs).unref();
  const snapAt = process.env.WXA_BENCH_HEAP_SNAPSHOT_AT;
  if (snapAt)
    setTimeout(() => {
      writeHeapSnapshot(join(dirname(out), `main-${snapAt}.heapsnapshot`));
      void snapshotThread(join(dirname(out), `thread-${snapAt}.heapsnapshot`));
    }, Number(snapAt)).unref();
} else if (out) {
  // The thread pool's threads wait for their next task in Atomics.wait, where no timer runs:
  // they are sampled as they go idle, at most once per interval.
  const wait = Atomics.wait;
  let last = -everyMs;
  Atomics.wait = (...args) => {
    const now = performance.now();
    if (now - last >= everyMs) {
      last = now;
      sampleThread();
    }
    return wait(...args);
  };
}
