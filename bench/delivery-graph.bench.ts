/**
 * Microsoft Graph delivery benchmark: 1,000 small items and a few with attachments (inline
 * ones and one over 3 MB that needs an upload session) into one mailbox of the Graph
 * emulator with Exchange's limits (4 concurrent requests, 10,000 requests per 10 minutes per
 * mailbox). Reports items/s, requests per item, and how much of the mailbox's request budget
 * that rate would use: what decides how fast a real tenant's mailbox can be filled.
 *
 *   node --import tsx bench/delivery-graph.bench.ts [--items 1000] [--runs 3] [--latency-ms 0,100]
 *
 * `--latency-ms` adds that delay before each emulator answer: 0 measures our own cost per
 * request; 100 is an assumed, optimistic round trip to Graph. The emulator runs in a child
 * process (this file with --emulator), so its work is not counted against ours.
 * Writes bench/results/delivery-graph.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createGraphDestination,
  GRAPH_MAILBOX_CONCURRENCY,
  GRAPH_MAILBOX_REQUESTS_PER_10_MIN,
  graphDestinationSchema,
} from '../src/destinations/graph/index.js';
import type { Destination, RenderedItem } from '../src/destinations/types.js';
import { startGraphEmulator } from '../test/graph/emulator.js';
import { forwardingFetch } from '../test/graph/emulator-http.js';
import { bigBytes, FOLDER, itemWithFiles, LOGIN, MAILBOX, textItem } from '../test/graph/helpers.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '0,100' },
    /** internal: be the emulator process */
    emulator: { type: 'boolean', default: false },
  },
});
const SMALL = Number(values.items);
const RUNS = Number(values.runs);
const LATENCIES = values['latency-ms'].split(',').map(Number);
const KIB = 1024;
/** Attachment sizes of the items with media: photos, a few documents, one video over 3 MB. */
const ATTACHMENTS = [...Array<number>(40).fill(100 * KIB), ...Array<number>(8).fill(1024 * KIB), 5 * 1024 * KIB];
const WINDOW_S = 600;
const here = import.meta.dirname;

function items(run: number): { small: RenderedItem[]; media: RenderedItem[] } {
  return {
    small: Array.from({ length: SMALL }, (_, i) => textItem(i, `r${run}-${i}`)),
    media: ATTACHMENTS.map((size, i) =>
      itemWithFiles(`r${run}-m${i}`, [{ name: `file-${i}.bin`, bytes: bigBytes(size, i + 1) }]),
    ),
  };
}

/** Delivers every item with `parallel` deliveries in flight, as the delivery stage does for one mailbox. */
async function deliverAll(dest: Destination, list: RenderedItem[], parallel: number): Promise<void> {
  const queue = [...list];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const outcome = await dest.deliver(item, MAILBOX);
      if (outcome.status !== 'delivered') throw new Error(`item ${item.key}: ${outcome.status}, not delivered`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

interface Phase {
  items: number;
  seconds: number;
  requests: number;
}

/** What the emulator process reports about the mailbox. */
interface EmulatorStats {
  requests: number;
  throttled: number;
  maxConcurrency: number;
  stored: number;
}

/** The emulator process: starts the emulator, answers `stats` and `close` from the parent. */
async function serveEmulator(latencyMs: number): Promise<void> {
  const emu = await startGraphEmulator({ mailboxes: [MAILBOX], latencyMs });
  // A parent that died without saying `close` must not leave the emulator running.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: string) => {
    if (msg === 'stats') {
      const l = emu.limits;
      process.send?.({
        requests: l.requests.get(MAILBOX) ?? 0,
        throttled: l.throttled.concurrency + l.throttled.rate + l.throttled.fault,
        maxConcurrency: l.maxConcurrency.get(MAILBOX) ?? 0,
        stored: emu.messages(MAILBOX, FOLDER).length,
      } satisfies EmulatorStats);
    } else if (msg === 'close') {
      void emu.close().then(() => process.exit(0));
    }
  });
  process.send?.({ origin: emu.origin, graphBaseUrl: emu.graphBaseUrl });
}

async function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  const reply = once(child, 'message');
  child.send(msg);
  return (await reply)[0] as T;
}

async function oneRun(run: number, latencyMs: number): Promise<{ small: Phase; media: Phase; emu: EmulatorStats }> {
  const child = fork(import.meta.filename, ['--emulator', '--latency-ms', String(latencyMs)]);
  try {
    const [{ origin, graphBaseUrl }] = (await once(child, 'message')) as [{ origin: string; graphBaseUrl: string }];
    const cfg = graphDestinationSchema.parse({
      kind: 'graph',
      tenantId: 'tenant-1',
      clientId: 'client-1',
      auth: { kind: 'secret', secret: 'secret-1' },
      graphBaseUrl,
    });
    const fetchVia = forwardingFetch(origin, [LOGIN]);
    const dest = createGraphDestination(cfg, { fetch: fetchVia });
    // Sign in before the clock starts: a token lasts an hour, so its cost is not per item.
    const signedIn = await dest.check();
    if (!signedIn.ok) throw new Error(signedIn.details.join('; '));
    const { small, media } = items(run);
    const phase = async (list: RenderedItem[]): Promise<Phase> => {
      const before = (await ask<EmulatorStats>(child, 'stats')).requests;
      const t = performance.now();
      // The stage's cap for one Graph mailbox is the destination's maxConcurrentPerMailbox.
      await deliverAll(dest, list, cfg.maxConcurrentPerMailbox);
      const seconds = (performance.now() - t) / 1000;
      return { items: list.length, seconds, requests: (await ask<EmulatorStats>(child, 'stats')).requests - before };
    };
    const s = await phase(small);
    const m = await phase(media);
    await dest.close();
    const emu = await ask<EmulatorStats>(child, 'stats');
    if (emu.stored !== SMALL + ATTACHMENTS.length) throw new Error(`${emu.stored} messages in the emulator's folder`);
    return { small: s, media: m, emu };
  } finally {
    const exited = once(child, 'exit');
    child.send('close');
    await exited;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const range = (xs: number[], digits = 1) => [round(Math.min(...xs), digits), round(Math.max(...xs), digits)];

/** Rates of a set of runs: items/s, requests per item, budget used at that rate. */
function summarize(phases: Phase[]) {
  const rate = phases.map((p) => p.items / p.seconds);
  const reqRate = phases.map((p) => p.requests / p.seconds);
  const budgetPerSecond = GRAPH_MAILBOX_REQUESTS_PER_10_MIN / WINDOW_S;
  return {
    items: phases[0]!.items,
    itemsPerSecond: round(median(rate)),
    itemsPerSecondRange: range(rate),
    requestsPerItem: round(median(phases.map((p) => p.requests / p.items)), 3),
    requestsPerSecond: round(median(reqRate)),
    /** requests made / (10,000 × elapsed / 600 s): above 1 means the budget runs out */
    budgetFractionUsed: round(median(reqRate) / budgetPerSecond, 2),
    budgetFractionUsedRange: range(
      reqRate.map((r) => r / budgetPerSecond),
      2,
    ),
    /** seconds until 10,000 requests are spent at this rate (600 or more: never) */
    budgetLastsSeconds: round(GRAPH_MAILBOX_REQUESTS_PER_10_MIN / median(reqRate)),
    /** items per mailbox per 10 minutes the budget allows at this cost per item */
    budgetItemsPer10Min: Math.floor(
      GRAPH_MAILBOX_REQUESTS_PER_10_MIN / median(phases.map((p) => p.requests / p.items)),
    ),
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const scenarios = [];
  for (const latencyMs of LATENCIES) {
    const runs: { small: Phase; media: Phase }[] = [];
    let throttled = 0;
    let maxConcurrency = 0;
    for (let run = 0; run < RUNS; run++) {
      const r = await oneRun(run, latencyMs);
      throttled += r.emu.throttled;
      maxConcurrency = Math.max(maxConcurrency, r.emu.maxConcurrency);
      runs.push(r);
      const all = r.small.items + r.media.items;
      const secs = r.small.seconds + r.media.seconds;
      console.error(
        `latency ${latencyMs} ms, run ${run + 1}/${RUNS}: ${(all / secs).toFixed(1)} items/s, ` +
          `${r.small.requests + r.media.requests} requests`,
      );
    }
    const total = runs.map((r) => ({
      items: r.small.items + r.media.items,
      seconds: r.small.seconds + r.media.seconds,
      requests: r.small.requests + r.media.requests,
    }));
    scenarios.push({
      latencyMs,
      all: summarize(total),
      small: summarize(runs.map((r) => r.small)),
      withAttachments: summarize(runs.map((r) => r.media)),
      throttledResponses: throttled,
      maxConcurrentRequestsSeen: maxConcurrency,
    });
  }
  const result = {
    date: new Date().toISOString(),
    machine: {
      loadAverage1m: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      node: process.version,
    },
    runs: RUNS,
    mailboxLimits: { concurrency: GRAPH_MAILBOX_CONCURRENCY, requestsPer10Min: GRAPH_MAILBOX_REQUESTS_PER_10_MIN },
    items: {
      small: `${SMALL} text items (about 5.4 KB of MIME each)`,
      withAttachments: '40 with 100 KiB, 8 with 1 MiB (inline POSTs), 1 with 5 MiB (upload session, 2 chunks)',
    },
    delivery: `deliver() with ${GRAPH_MAILBOX_CONCURRENCY} in flight (the stage's cap for one Graph mailbox); sign-in before timing, folder creation included`,
    scenarios,
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'delivery-graph.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

if (values.emulator) await serveEmulator(LATENCIES[0] ?? 0);
else await main();
