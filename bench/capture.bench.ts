/**
 * Capture benchmark: what running the vendor library in its own process costs. The production
 * SDK client (createSdkClient: the library loaded through FFI in a supervised host process, here
 * the C double of the library built from test/fixtures/fake-sdk) against the in-process
 * SandboxClient, on the same sandbox dataset in the same run, interleaved, each repeated; medians.
 *
 *   node --import tsx bench/capture.bench.ts [--records 50000] [--runs 3] [--seed 7]
 *
 * Per client: GetChatData paging of every record (limit 1000); the capture+decrypt path per
 * record (KeyRing RSA unwrap, DecryptData through the client, cleaning and parsing: decryptRecord);
 * DecryptData alone (keys unwrapped beforehand: the client's share of that path), a page at a
 * time and one call at a time; and every media file downloaded chunk by chunk. Everything runs
 * on the main thread for both clients, so the comparison is of the client path, not of worker
 * threads. GetChatData's 600-a-minute limit is lifted: it would measure WeCom's quota, not us.
 *
 * Writes bench/results/capture.json and prints it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MEDIA_DIR,
  generateTenant,
  openSandbox,
  type MediaIndexEntry,
  type SandboxClient,
} from '../src/sources/sandbox/index.js';
import { KeyRing, decryptRecord, type EncryptedRecord, type FinanceClient } from '../src/sources/wecom/index.js';
import { createSdkClient, type SdkClient } from '../src/sources/wecom/sdk-host/index.js';
import { buildFakeSdk, fakeSdkEnv, readDestroyStats } from '../test/fixtures/fake-sdk/harness.js';
import { measureRsaCeiling } from './rsa-ceiling.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
  },
});
const records = Number(values.records);
const runs = Number(values.runs);
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenantDir = join(tmp, `capture-tenant-${values.seed}-${records}`);
const PAGE = 1000;
/** DecryptData one call at a time, on this many records: the round trip without batching */
const SERIAL = 5000;
const MB = 2 ** 20;
const SECRET = 'capture-bench-archive-secret';
/** the SDK client's defaults, recorded with the results */
const SDK_BATCH = 64;
const SDK_WINDOW = 4;

type ClientName = 'inProcess' | 'child';

interface Metric {
  name: string;
  unit: 'records/s' | 'MB/s';
  /** runs the measured work once and returns how many units (records, MB) it moved */
  run: (c: FinanceClient) => Promise<number>;
}

function pages<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PAGE) out.push(items.slice(i, i + PAGE));
  return out;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`capture bench: ${what}`);
}

async function pageAll(c: FinanceClient): Promise<EncryptedRecord[]> {
  const out: EncryptedRecord[] = [];
  let cursor = '0';
  for (;;) {
    const res = await c.getChatData(cursor, PAGE);
    check(res.errcode === 0, `GetChatData answered errcode ${res.errcode}`);
    if (!res.chatdata?.length) return out;
    for (const r of res.chatdata) out.push(r);
    cursor = String(res.chatdata[res.chatdata.length - 1]!.seq);
  }
}

function metrics(
  all: EncryptedRecord[],
  keys: string[],
  ring: KeyRing,
  corpId: string,
  media: [string, MediaIndexEntry][],
): Metric[] {
  const mediaBytes = media.reduce((a, [, e]) => a + e.size, 0);
  const recordPages = pages(all.map((r, i) => ({ r, key: keys[i]! })));
  return [
    {
      name: 'paging',
      unit: 'records/s',
      run: async (c) => {
        const got = await pageAll(c);
        check(got.length === all.length, `paged ${got.length} records, expected ${all.length}`);
        return got.length;
      },
    },
    {
      // a page's DecryptData calls go out together, as the pipeline's remote path sends them
      name: 'decryptPath',
      unit: 'records/s',
      run: async (c) => {
        const decrypt = (k: string, m: string) => c.decryptData(k, m);
        let n = 0;
        for (const page of recordPages) {
          const msgs = await Promise.all(page.map(({ r }) => decryptRecord(r, ring, decrypt, corpId)));
          n += msgs.length;
        }
        return n;
      },
    },
    {
      name: 'decryptData',
      unit: 'records/s',
      run: async (c) => {
        let bytes = 0;
        for (const page of recordPages) {
          const out = await Promise.all(page.map(({ r, key }) => c.decryptData(key, r.encrypt_chat_msg)));
          for (const b of out) bytes += b.length;
        }
        check(bytes > 0, 'DecryptData returned nothing');
        return all.length;
      },
    },
    {
      name: 'decryptDataOneAtATime',
      unit: 'records/s',
      run: async (c) => {
        const n = Math.min(SERIAL, all.length);
        for (let i = 0; i < n; i++) await c.decryptData(keys[i]!, all[i]!.encrypt_chat_msg);
        return n;
      },
    },
    {
      name: 'media',
      unit: 'MB/s',
      run: async (c) => {
        let bytes = 0;
        for (const [id, entry] of media) {
          let indexbuf = '';
          let got = 0;
          for (;;) {
            const chunk = await c.getMediaData(id, indexbuf);
            got += chunk.data.length;
            if (chunk.isFinish) break;
            indexbuf = chunk.outIndexBuf;
          }
          check(got === entry.size, `media ${id}: ${got} bytes, expected ${entry.size}`);
          bytes += got;
        }
        check(bytes === mediaBytes, `media: ${bytes} bytes, expected ${mediaBytes}`);
        return bytes / MB;
      },
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function openChild(sandbox: SandboxClient, libraryPath: string, statsFile: string) {
  const client: SdkClient = createSdkClient({
    libraryPath,
    corpId: sandbox.corpId,
    secret: SECRET,
    timeoutMs: 120_000,
    rateLimit: { perMinute: 1e9, burst: 1e6 },
    batchSize: SDK_BATCH,
    window: SDK_WINDOW,
    env: fakeSdkEnv({ dataset: sandbox.dir, secret: SECRET, control: '', stats: statsFile }),
  });
  const t0 = performance.now();
  // the host process starts on the first call: time it apart from the measurements
  await client.getChatData('0', 1);
  return { client, startMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenantDir, 'tenant.json'))) {
    console.error(`generating ${records} sandbox records in ${tenantDir} ...`);
    await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages: records });
  }
  const libraryPath = await buildFakeSdk(join(tmp, 'fake-sdk'));
  const statsFile = join(tmp, 'fake-sdk', 'capture-destroy-stats');
  await writeFile(statsFile, '');
  const sandbox = await openSandbox(tenantDir);
  const ring = new KeyRing();
  await ring.loadKeyDir(sandbox.keysDir);
  const index = JSON.parse(await readFile(join(tenantDir, MEDIA_DIR, 'index.json'), 'utf8')) as Record<
    string,
    MediaIndexEntry
  >;
  const media = Object.entries(index);
  const all = await pageAll(sandbox);
  check(all.length === records, `the tenant holds ${all.length} records, expected ${records}`);
  const keys = all.map((r) => ring.decryptRandomKey(r.publickey_ver, r.encrypt_random_key));

  const rsa = await measureRsaCeiling(3, 1);
  console.error(`RSA-2048 private decrypt, one core: ${rsa.opsPerSecond.toFixed(0)} ops/s`);
  const { client: child, startMs } = await openChild(sandbox, libraryPath, statsFile);
  const clients: [ClientName, FinanceClient][] = [
    ['inProcess', sandbox],
    ['child', child],
  ];
  const list = metrics(all, keys, ring, sandbox.corpId, media);

  // warm both paths (JIT, page cache, the host's first batches) before anything is timed
  for (const [, c] of clients) {
    await c.getChatData('0', PAGE);
    await Promise.all(all.slice(0, PAGE).map((r, i) => c.decryptData(keys[i]!, r.encrypt_chat_msg)));
    for (const [id] of media.slice(0, 20)) await c.getMediaData(id, '');
  }

  const samples = new Map<string, number[]>();
  for (let run = 0; run < runs; run++) {
    // alternate which client goes first, so drift on a shared machine does not favour one
    const order = run % 2 === 0 ? clients : [...clients].reverse();
    for (const m of list) {
      for (const [name, c] of order) {
        const t0 = performance.now();
        const units = await m.run(c);
        const rate = units / ((performance.now() - t0) / 1000);
        const key = `${m.name}/${name}`;
        samples.set(key, [...(samples.get(key) ?? []), rate]);
        console.error(`run ${run + 1}/${runs} ${m.name.padEnd(22)} ${name.padEnd(9)} ${rate.toFixed(1)} ${m.unit}`);
      }
    }
  }
  const hostStats = child.stats;
  await child.close();
  await sandbox.close();
  const destroyed = await readDestroyStats(statsFile);
  check(hostStats.crashes === 0 && hostStats.hangs === 0, `the host crashed or hung: ${JSON.stringify(hostStats)}`);

  const summary = Object.fromEntries(
    list.map((m) => {
      const inProcess = samples.get(`${m.name}/inProcess`) ?? [];
      const childRates = samples.get(`${m.name}/child`) ?? [];
      const range = (xs: number[]) => [round(Math.min(...xs)), round(Math.max(...xs))];
      return [
        m.name,
        {
          unit: m.unit,
          inProcess: round(median(inProcess)),
          child: round(median(childRates)),
          ratio: round(median(childRates) / median(inProcess), 3),
          range: { inProcess: range(inProcess), child: range(childRates) },
        },
      ];
    }),
  );
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
    records,
    page: PAGE,
    decryptDataOneAtATimeRecords: Math.min(SERIAL, records),
    mediaFiles: media.length,
    mediaMB: round(media.reduce((a, [, e]) => a + e.size, 0) / MB),
    runs,
    threads: 'main thread only, both clients',
    sdkClient: { batchSize: SDK_BATCH, window: SDK_WINDOW, rateLimit: 'lifted', hostStartMs: round(startMs) },
    rsaOneCoreOpsPerSecond: round(rsa.opsPerSecond),
    metrics: summary,
    host: { ...hostStats, destroy: destroyed },
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'capture.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

await main();
