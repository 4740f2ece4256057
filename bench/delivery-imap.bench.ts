/**
 * IMAP delivery benchmark: the same N archived sandbox items (real sizes, about one in six with
 * media) written into a fresh Dovecot mailbox folder by Dovecot itself (`doveadm import`, the
 * ceiling), by mbsync over IMAP (the established peer) and by our IMAP destination through the
 * delivery stage, in the same run against the same server, each repeated; medians reported.
 *
 *   node --import tsx bench/delivery-imap.bench.ts [--messages 2000] [--runs 3] [--save-sample 50] [--fsync]
 *
 * Writes bench/results/delivery-imap.json and prints it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { parseConfig } from '../src/config/index.js';
import { buildDestinations, destinationSchema, type RenderedItem } from '../src/destinations/index.js';
import { appendItem, findByMessageId, openFresh } from '../src/destinations/imap/folder.js';
import { deliverDue, loadRenderedItem } from '../src/pipeline/deliver.js';
import { runConnector } from '../src/pipeline/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openStore, queueDeliveries, type Store } from '../src/store/index.js';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
    /** `doveadm save` starts one process per message: timed on this many only */
    'save-sample': { type: 'string', default: '50' },
    /** Dovecot `mail_fsync = optimized` instead of the test harness's `never` */
    fsync: { type: 'boolean', default: false },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);
const SAVE_SAMPLE = Math.min(N, Number(values['save-sample']));
const FOLDER = 'WeChat Archiver';
const COMMANDS_USER = 'commands@example.com';
const MASTER = { name: 'bench-master', password: 'bench-master-secret' };
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const exec = promisify(execFile);

type Method = 'doveadmImport' | 'doveadmSave' | 'mbsync' | 'mbsyncNoFsync' | 'oursStage' | 'oursDirect';
const METHODS: Method[] = ['doveadmImport', 'doveadmSave', 'mbsync', 'mbsyncNoFsync', 'oursStage', 'oursDirect'];

/** Archives a sandbox tenant into the embedded archive only and returns its first N items as delivered. */
async function archivedItems(store: Store, tenantDir: string, dataDir: string): Promise<RenderedItem[]> {
  // workers 0: prepare on the main thread, so worker threads need no TypeScript loader.
  const cfg = parseConfig(
    { dataDir, workers: 0, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenantDir } }] },
    'bench',
    here,
  );
  await runConnector(store, cfg.connectors[0]!, { workers: 0, batchSize: 512 });
  const keys = await store.db.selectFrom('items').select('key').orderBy('seq_key').limit(N).execute();
  if (keys.length < N) throw new Error(`the sandbox archive holds ${keys.length} items, fewer than ${N}`);
  // The same reads the delivery stage makes for each item: exact MIME bytes, model, media.
  return Promise.all(keys.map(async ({ key }) => (await loadRenderedItem(store, key))!));
}

/** A Maildir (fs layout) whose folder FOLDER holds every item, file times set to the item times. */
async function writeMaildir(root: string, items: RenderedItem[]): Promise<string[]> {
  const cur = join(root, FOLDER, 'cur');
  for (const d of ['cur', 'new', 'tmp']) await mkdir(join(root, FOLDER, d), { recursive: true });
  const files: string[] = [];
  for (const [i, item] of items.entries()) {
    const sec = Math.floor(item.time / 1000);
    const file = join(cur, `${sec}.M${i}P0.bench:2,S`);
    await writeFile(file, item.mime);
    await utimes(file, sec, sec);
    files.push(file);
  }
  return files;
}

/** A private copy of the source Maildir for one run (import and mbsync both write into it). */
async function copyMaildir(src: string, dest: string): Promise<void> {
  await cp(src, dest, { recursive: true, preserveTimestamps: true });
  // mbsync sleeps a second when a folder changed within the last second (mtime granularity).
  for (const d of ['', 'cur', 'new', 'tmp']) await utimes(join(dest, FOLDER, d), 1e9, 1e9);
  // As root Dovecot works as nobody (see test/helpers/dovecot.ts): the source must be its own.
  if (process.getuid?.() === 0) await exec('chown', ['-R', '65534:65534', dest]);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function countIn(conf: string, user: string): Promise<number> {
  const { stdout } = await exec('doveadm', ['-c', conf, 'mailbox', 'status', '-u', user, 'messages', FOLDER]);
  return Number(/messages=(\d+)/.exec(stdout)?.[1] ?? -1);
}

function mbsyncrc(dv: Dovecot, user: string, maildir: string, fsync: boolean): string {
  return [
    fsync ? '' : 'FSync no',
    `IMAPStore far\nHost ${dv.host}\nPort ${dv.port}\nUser ${user}\nPass ${dv.users.find((u) => u.name === user)!.password}`,
    'SSLType None\nAuthMechs LOGIN\n',
    `MaildirStore near\nPath ${maildir}/\nSubFolders Verbatim\n`,
    `Channel bench\nFar :far:\nNear :near:\nPatterns "${FOLDER}"\nSync Push\nCreate Far\nCopyArrivalDate yes\nSyncState *\n`,
  ].join('\n');
}

function imapConfig(dv: Dovecot, id: string) {
  return destinationSchema.parse({
    kind: 'imap',
    id,
    host: dv.host,
    port: dv.port,
    secure: false,
    starttls: false,
    auth: { kind: 'master', masterUser: MASTER.name, password: MASTER.password },
    checkMailbox: dv.users[0]!.name,
  });
}

/** What the pipeline writes for a configured destination: one pending ledger row per item. */
async function queue(store: Store, destinationId: string, mailbox: string, items: RenderedItem[]): Promise<void> {
  await queueDeliveries(
    store.db,
    items.map((item) => ({ connectorId: 'bench', destinationId, itemKey: item.key, mailbox })),
    0,
  );
}

interface Ctx {
  dv: Dovecot;
  conf: string;
  store: Store;
  items: RenderedItem[];
  source: string;
  files: string[];
}

/** Runs one method into a fresh mailbox; returns the seconds and how many messages it wrote. */
async function runMethod(m: Method, run: number, c: Ctx): Promise<{ seconds: number; count: number }> {
  const user = `${m.toLowerCase()}-${run}@example.com`;
  const work = join(c.dv.dir, `${m}-${run}`);
  let seconds: number;
  if (m === 'doveadmImport') {
    await copyMaildir(c.source, work);
    const args = ['-c', c.conf, 'import', '-u', user, `maildir:${work}:LAYOUT=fs`, '', 'mailbox', FOLDER, 'all'];
    seconds = await timed(() => exec('doveadm', args));
  } else if (m === 'doveadmSave') {
    await exec('doveadm', ['-c', c.conf, 'mailbox', 'create', '-u', user, FOLDER]);
    const sample = c.files.slice(0, SAVE_SAMPLE);
    const worker = async () => {
      for (let f = sample.shift(); f !== undefined; f = sample.shift())
        await exec('doveadm', ['-c', c.conf, 'save', '-u', user, '-m', FOLDER, f]);
    };
    seconds = await timed(() => Promise.all(Array.from({ length: availableParallelism() }, worker)));
  } else if (m === 'mbsync' || m === 'mbsyncNoFsync') {
    await copyMaildir(c.source, work);
    await writeFile(`${work}.rc`, mbsyncrc(c.dv, user, work, m === 'mbsync'));
    seconds = await timed(() => exec('mbsync', ['-q', '-c', `${work}.rc`, 'bench']));
  } else {
    const [built] = buildDestinations([imapConfig(c.dv, `imap-${m.toLowerCase()}-${run}`)]);
    const { id, destination, perMailbox, overall } = built!;
    if (m === 'oursStage') {
      await queue(c.store, id, user, c.items);
      seconds = await timed(() => deliverDue(c.store, [{ id, destination, perMailbox, overall }]));
    } else {
      // Without the ledger: deliver() straight from memory, as many at once as the stage allows one mailbox.
      let next = 0;
      const worker = async () => {
        for (let item = c.items[next++]; item; item = c.items[next++]) await destination.deliver(item, user);
      };
      seconds = await timed(() => Promise.all(Array.from({ length: Math.min(perMailbox, overall) }, worker)));
    }
    await destination.close();
  }
  return { seconds, count: await countIn(c.conf, user) };
}

/**
 * Mean ms of each command one delivery sends (NOOP to refresh the selected folder, SEARCH
 * for the Message-ID, APPEND), run by the destination's own functions on one connection
 * into a fresh mailbox, over the first 500 items: where our time per item goes.
 */
async function commandCosts(c: Ctx): Promise<Record<'noop' | 'search' | 'append', number>> {
  const user = `${COMMANDS_USER}*${MASTER.name}`;
  const client = new ImapFlow({
    ...{ host: c.dv.host, port: c.dv.port, secure: false, doSTARTTLS: false, disableAutoIdle: true },
    ...{ auth: { user, pass: MASTER.password }, logger: false },
  });
  await client.connect();
  const sample = c.items.slice(0, 500);
  const sum = { noop: 0, search: 0, append: 0 };
  try {
    const { path } = await client.mailboxCreate(FOLDER);
    await client.mailboxOpen(path);
    for (const item of sample) {
      sum.noop += await timed(() => openFresh(client, path));
      sum.search += await timed(() => findByMessageId(client, item.messageId, item.time));
      sum.append += await timed(() => appendItem(client, path, item.mime, item.time));
    }
  } finally {
    await client.logout();
  }
  const ms = (total: number) => round((total * 1000) / sample.length, 2);
  return { noop: ms(sum.noop), search: ms(sum.search), append: ms(sum.append) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const tenantDir = join(tmp, `delivery-tenant-${values.seed}-${N}`);
  const dataDir = join(tmp, 'delivery-imap-data');
  await rm(tenantDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages: N });
  const store = await openStore(dataDir);
  const items = await archivedItems(store, tenantDir, dataDir);
  const bytes = items.reduce((a, i) => a + i.mime.length, 0);
  const withMedia = items.filter((i) => i.attachments.some((a) => a.bytes)).length;
  const users = METHODS.flatMap((m) => Array.from({ length: RUNS }, (_, r) => `${m.toLowerCase()}-${r}@example.com`));
  users.push(COMMANDS_USER);
  const dv = await startDovecot({
    users: users.map((name) => ({ name, password: `pw-${name.split('@')[0]}` })),
    masterUser: MASTER,
    fsync: values.fsync,
  });
  const sizes = items.map((i) => i.mime.length).sort((a, b) => a - b);
  const results = Object.fromEntries(METHODS.map((m) => [m, [] as number[]])) as Record<Method, number[]>;
  let commandMs: Awaited<ReturnType<typeof commandCosts>> | undefined;
  try {
    const source = join(dv.dir, 'source');
    const files = await writeMaildir(source, items);
    const ctx: Ctx = { dv, conf: join(dv.dir, 'dovecot.conf'), store, items, source, files };
    for (let run = 0; run < RUNS; run++) {
      // A different order in each run, so no method always runs first on a cold cache.
      const order = METHODS.map((_, i) => METHODS[(i + run) % METHODS.length]!);
      for (const m of order) {
        const { seconds, count } = await runMethod(m, run, ctx);
        const expected = m === 'doveadmSave' ? SAVE_SAMPLE : N;
        if (count !== expected) throw new Error(`${m} run ${run}: ${count} messages in the folder, not ${expected}`);
        results[m].push(expected / seconds);
        console.error(
          `run ${run + 1}/${RUNS} ${m}: ${(expected / seconds).toFixed(1)} msg/s (${seconds.toFixed(2)} s)`,
        );
      }
    }
    commandMs = await commandCosts(ctx);
  } finally {
    await dv.stop();
    await store.close();
  }
  const med = Object.fromEntries(METHODS.map((m) => [m, round(median(results[m]))])) as Record<Method, number>;
  const result = {
    date: new Date().toISOString(),
    machine: {
      loadAverage1m: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '',
      node: process.version,
      dovecot: dv.version,
    },
    messages: N,
    withMedia,
    bytes,
    sizeBytes: { median: sizes[sizes.length >> 1], p90: sizes[Math.floor(sizes.length * 0.9)], max: sizes.at(-1) },
    runs: RUNS,
    dovecotMailFsync: values.fsync ? 'optimized' : 'never',
    messagesPerSecond: med,
    range: Object.fromEntries(
      METHODS.map((m) => [m, [round(Math.min(...results[m])), round(Math.max(...results[m]))]]),
    ),
    oursCommandMs: commandMs,
    ratios: {
      oursStageToDoveadmImport: round(med.oursStage / med.doveadmImport, 3),
      oursStageToMbsync: round(med.oursStage / med.mbsync, 3),
      oursDirectToMbsyncNoFsync: round(med.oursDirect / med.mbsyncNoFsync, 3),
    },
    notes: {
      doveadmImport: 'one `doveadm import` process reading a Maildir copy of the items: the ceiling',
      doveadmSave: `one \`doveadm save\` process per message, ${availableParallelism()} at a time, timed on ${SAVE_SAMPLE} messages`,
      mbsync: 'mbsync (isync) Sync Push from a Maildir over plain IMAP on loopback, default FSync yes',
      mbsyncNoFsync: 'the same with FSync no',
      oursStage:
        'deliverDue (ledger leases, item reads, finishDelivery per item; SQLite synchronous=FULL) with the IMAP destination, master-user login, default pool (2 connections per mailbox)',
      oursCommandMs: 'mean ms per command of one delivery on one connection (NOOP, SEARCH, APPEND), first 500 items',
      oursDirect:
        'the same IMAP destination, deliver() from memory with 2 at a time (the stage cap per mailbox), no ledger',
    },
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'delivery-imap.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  await rm(dataDir, { recursive: true, force: true });
  await rm(tenantDir, { recursive: true, force: true });
}

await main();
