/**
 * Latency benchmark: `serve` runs as a service would (its own process, the WeCom msgaudit_notify
 * callback on, the scheduled interval an hour away so only callbacks start runs), archiving a
 * sandbox tenant into the embedded archive and a real Dovecot. Messages enter the tenant at a
 * steady rate; like WeCom, a signed notification is sent when new data exists, at most once
 * per 15 seconds. For every message, the time from entering the tenant to its item being
 * committed in the archive, and to each of its copies being readable by the mailbox owner in
 * Dovecot (seen by a client logged in as that user, polling), is recorded; p50/p95/max reported.
 *
 *   node --import tsx bench/latency.bench.ts [--messages 1000] [--rate 4] [--notify-gap 15]
 *
 * Writes bench/results/latency.json and prints it.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { machineWatch } from './machine.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { messageIdFor } from '../src/render/index.js';
import { appendMessages, generateTenant, readTenant } from '../src/sources/sandbox/index.js';
import { eventRequestForTest } from '../test/helpers/callback-request.js';
import { freePort, startDovecot, type Dovecot } from '../test/helpers/dovecot.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000' },
    /** messages entering the tenant per second */
    rate: { type: 'string', default: '4' },
    /** least seconds between two notifications (WeCom: 15) */
    'notify-gap': { type: 'string', default: '15' },
    seed: { type: 'string', default: '11' },
  },
});
const N = Number(values.messages);
const RATE = Number(values.rate);
const NOTIFY_GAP_MS = Number(values['notify-gap']) * 1000;
const TICK_MS = 250;
/** how long after the last message entered copies may still arrive before the bench gives up */
const DRAIN_MS = 180_000;
const TOKEN = 'latencyBenchToken';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const MASTER = { name: 'archiver', password: 'bench-master-secret' };
const FOLDER = 'WeChat Archiver';
const here = import.meta.dirname;
const root = join(here, 'tmp', 'latency');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Seconds at the given quantiles of the latencies (ms). */
function quantiles(ms: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return {
    n: s.length,
    p50: round(at(0.5) / 1000, 2),
    p95: round(at(0.95) / 1000, 2),
    max: round((s.at(-1) ?? NaN) / 1000, 2),
  };
}

/** Watches one mailbox's folder as its owner: first-seen time of each Message-ID. */
async function watchMailbox(dv: Dovecot, user: string, seen: Map<string, number>, stop: () => boolean): Promise<void> {
  const u = dv.users.find((x) => x.name === user)!;
  const client = new ImapFlow({
    ...{ host: dv.host, port: dv.port, secure: false, doSTARTTLS: false, disableAutoIdle: true },
    ...{ auth: { user: u.name, pass: u.password }, logger: false },
  });
  await client.connect();
  try {
    let lastUid = 0;
    let open = false;
    while (!stop()) {
      if (!open) {
        open = (await client.list()).some((f) => f.path === FOLDER);
        if (open) await client.mailboxOpen(FOLDER, { readOnly: true });
      } else {
        await client.noop();
      }
      if (open && typeof client.mailbox === 'object' && client.mailbox.exists > 0) {
        for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, envelope: true }, { uid: true })) {
          if (m.uid <= lastUid) continue;
          lastUid = m.uid;
          const key = `${user}|${m.envelope?.messageId ?? ''}`;
          if (!seen.has(key)) seen.set(key, Date.now());
        }
      }
      await sleep(200);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function main(): Promise<void> {
  const machine = machineWatch();
  await rm(root, { recursive: true, force: true });
  const tenantDir = join(root, 'tenant');
  const dataDir = join(root, 'data');
  const tenant = await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages: 20 });
  const people = (await readTenant(tenantDir)).directory.people;
  const mailboxes = people.filter((p) => p.kind === 'internal' && p.email).map((p) => p.email!);
  const dv = await startDovecot({
    masterUser: MASTER,
    users: mailboxes.map((name, i) => ({ name, password: `user-secret-${i}` })),
  });
  const port = await freePort();
  const config = join(root, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      dataDir,
      connectors: [
        {
          id: 'corp',
          source: { kind: 'sandbox', dir: tenantDir },
          mapping: { autoFromDirectoryEmail: true },
          schedule: { intervalSeconds: 3600 },
          callback: { tokenEnv: 'WXA_BENCH_CB_TOKEN', encodingAesKeyEnv: 'WXA_BENCH_CB_AES', port },
          destinations: [
            { kind: 'archive' },
            {
              kind: 'imap',
              host: dv.host,
              port: dv.port,
              secure: false,
              starttls: false,
              auth: { kind: 'master', masterUser: MASTER.name, password: MASTER.password },
              checkMailbox: mailboxes[0],
            },
          ],
        },
      ],
    }),
  );
  const serve = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(here, '..', 'test', 'helpers', 'cli-entry.ts'),
      'serve',
      '--config',
      config,
      '--no-console',
    ],
    {
      cwd: join(here, '..'),
      env: { ...process.env, WXA_BENCH_CB_TOKEN: TOKEN, WXA_BENCH_CB_AES: AES_KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  serve.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<void>((resolve) => serve.once('exit', () => resolve()));
  let stopping = false;
  const seen = new Map<string, number>();
  const watchers: Promise<void>[] = [];
  const entered = new Map<string, number>();
  const notifications: number[] = [];
  try {
    for (let i = 0; !stderr.includes('callback listening'); i++) {
      if (i > 1200 || serve.exitCode !== null) throw new Error(`serve did not start:\n${stderr}`);
      await sleep(100);
    }
    // The initial 20 messages: wait until the first run archived them, so the timed part starts idle.
    const db = () => new Database(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
    for (let i = 0; ; i++) {
      const n = await Promise.resolve()
        .then(() => {
          const d = db();
          try {
            return (d.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
          } finally {
            d.close();
          }
        })
        .catch(() => 0);
      if (n > 0) break;
      if (i > 1200) throw new Error(`the first run archived nothing:\n${stderr}`);
      await sleep(100);
    }
    await sleep(3000);
    for (const m of mailboxes) watchers.push(watchMailbox(dv, m, seen, () => stopping));

    const url = `http://127.0.0.1:${port}/wecom/callback`;
    let lastNotify = -Infinity;
    let unannounced = false;
    const notify = async () => {
      const req = eventRequestForTest({ token: TOKEN, encodingAesKey: AES_KEY, corpId: tenant.corpId });
      const res = await fetch(`${url}?${new URLSearchParams(req.query as Record<string, string>)}`, {
        method: 'POST',
        body: req.body,
      });
      if (res.status !== 200) throw new Error(`the callback answered ${res.status}`);
      lastNotify = Date.now();
      notifications.push(lastNotify);
      unannounced = false;
    };
    // Steady arrivals: RATE messages a second, appended every TICK_MS.
    const start = Date.now();
    let added = 0;
    let seed = 1000;
    while (added < N) {
      const due = Math.min(N, Math.floor(((Date.now() - start) / 1000) * RATE) + 1);
      if (due > added) {
        const summary = await appendMessages(tenantDir, due - added, seed++, { after: Date.now(), meanGapMs: 50 });
        const at = Date.now();
        const last = BigInt(summary.last!.seq);
        for (let s = last - BigInt(due - added) + 1n; s <= last; s++) entered.set(s.toString(), at);
        added = due;
        unannounced = true;
      }
      if (unannounced && Date.now() - lastNotify >= NOTIFY_GAP_MS) await notify();
      await sleep(TICK_MS);
    }
    const producedIn = (Date.now() - start) / 1000;
    // WeCom keeps notifying while unfetched data exists: the last batch gets its notification too.
    const drainEnd = Date.now() + DRAIN_MS;
    let archive: { seq_key: string; key: string; created_at: number }[] = [];
    let copies: { item_key: string; mailbox: string }[] = [];
    const lastSeq = [...entered.keys()].at(-1)!;
    for (;;) {
      if (unannounced && Date.now() - lastNotify >= NOTIFY_GAP_MS) await notify();
      const d = db();
      let settled: boolean;
      try {
        archive = (d.prepare('SELECT seq_key, key, created_at FROM items').all() as typeof archive).filter((a) =>
          entered.has(BigInt(a.seq_key).toString()),
        );
        copies = d
          .prepare(
            "SELECT item_key, mailbox, status FROM deliveries WHERE destination_id = 'imap' AND status != 'held'",
          )
          .all() as typeof copies;
        // Every entered record captured and processed, and no delivery left to make.
        const raw = d
          .prepare(
            "SELECT count(*) AS n, sum(status = 'pending') AS pending, max(CAST(seq_key AS INTEGER)) AS top FROM raw_records",
          )
          .get() as { n: number; pending: number; top: number };
        const due = d.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'").get() as { n: number };
        settled = BigInt(raw.top ?? 0) >= BigInt(lastSeq) && raw.pending === 0 && due.n === 0;
      } finally {
        d.close();
      }
      const keys = new Set(archive.map((a) => a.key));
      const allSeen = copies
        .filter((c) => keys.has(c.item_key))
        .every((c) => seen.has(`${c.mailbox}|${messageIdFor(c.item_key)}`));
      if ((settled && allSeen) || Date.now() > drainEnd) break;
      await sleep(1000);
    }
    stopping = true;
    await Promise.all(watchers);

    const keys = new Set(archive.map((a) => a.key));
    const seqOf = new Map(archive.map((a) => [a.key, BigInt(a.seq_key).toString()]));
    const archiveMs = archive
      .map((a) => a.created_at - (entered.get(BigInt(a.seq_key).toString()) ?? NaN))
      .filter((x) => Number.isFinite(x));
    const imapMs: number[] = [];
    let missing = 0;
    for (const c of copies) {
      if (!keys.has(c.item_key)) continue;
      const at = seen.get(`${c.mailbox}|${messageIdFor(c.item_key)}`);
      const t0 = entered.get(seqOf.get(c.item_key)!);
      if (at === undefined || t0 === undefined) missing++;
      else imapMs.push(at - t0);
    }
    const result = {
      date: new Date().toISOString(),
      machine: machine({
        dovecot: dv.version,
        note: 'a shared machine: other heavy jobs ran at the same time (see the load average); latencies include waiting for the CPU',
      }),
      messagesEntered: entered.size,
      ratePerSecond: RATE,
      producedInSeconds: round(producedIn),
      notifyGapSeconds: NOTIFY_GAP_MS / 1000,
      notifications: notifications.length,
      mailboxes: mailboxes.length,
      archiveSeconds: quantiles(archiveMs),
      imapSeconds: quantiles(imapMs),
      imapCopiesNotSeen: missing,
      targetP95Seconds: 30,
      notes: {
        archiveSeconds:
          'from the message entering the tenant to its item committed in the embedded archive (items.created_at)',
        imapSeconds:
          'from the message entering the tenant to each copy being seen in Dovecot by a client logged in as the mailbox owner, polling every 200 ms',
        held: 'messages held (e.g. an unmapped participant) have no copy and are not counted in imapSeconds',
        serve: 'serve in its own process with default workers and pool, interval 3600 s: runs start only on callbacks',
      },
    };
    await mkdir(join(here, 'results'), { recursive: true });
    await writeFile(join(here, 'results', 'latency.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    stopping = true;
    await Promise.allSettled(watchers);
    serve.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
    if (serve.exitCode === null) serve.kill('SIGKILL');
    await dv.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
