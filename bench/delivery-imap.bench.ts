/**
 * IMAP delivery benchmark: the same N archived sandbox items (real sizes, about one in six with
 * media) written into fresh Dovecot mailbox folders by Dovecot itself (`doveadm import`, the
 * ceiling), by mbsync over IMAP (the established peer) and by our IMAP destination through the
 * delivery stage, in the same run against the same server, each repeated; medians reported.
 * Two shapes: every item into one mailbox, and the items spread over many mailboxes (one
 * mbsync channel per mailbox, run by one `mbsync -a`). Logins are counted from Dovecot's log.
 * Without mbsync installed (Debian package `isync`) its rows are skipped, saying so.
 *
 *   node --import tsx bench/delivery-imap.bench.ts [--messages 2000] [--runs 3] [--mailboxes 30]
 *     [--save-sample 50] [--fsync] [--per-mailbox 4] [--out delivery-imap.json]
 *
 * Writes bench/results/delivery-imap.json and prints it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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
import { machineWatch } from './machine.js';
import { SOURCES } from '../src/sources/index.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
    /** `doveadm save` starts one process per message: timed on this many only */
    'save-sample': { type: 'string', default: '50' },
    /** Dovecot `mail_fsync = optimized` instead of the test harness's `never` */
    fsync: { type: 'boolean', default: false },
    /** mailboxes of the spread shape */
    mailboxes: { type: 'string', default: '30' },
    /** our pool's connections per mailbox (the destination's `pool.perMailbox`; default its default) */
    'per-mailbox': { type: 'string' },
    /** results file name under bench/results */
    out: { type: 'string', default: 'delivery-imap.json' },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);
const SAVE_SAMPLE = Math.min(N, Number(values['save-sample']));
const SPREAD = Number(values.mailboxes);
const FOLDER = 'WeChat Archiver';
const COMMANDS_USER = 'commands@example.com';
const MASTER = { name: 'bench-master', password: 'bench-master-secret' };
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const exec = promisify(execFile);

type Method = 'doveadmImport' | 'doveadmSave' | 'mbsync' | 'mbsyncNoFsync' | 'oursStage' | 'oursDirect';
type Shape = 'one' | 'spread';
const METHODS: Record<Shape, Method[]> = {
  one: ['doveadmImport', 'doveadmSave', 'mbsync', 'mbsyncNoFsync', 'oursStage', 'oursDirect'],
  spread: ['doveadmImport', 'mbsync', 'mbsyncNoFsync', 'oursStage'],
};
const boxesOf = (shape: Shape) => (shape === 'one' ? 1 : SPREAD);

/** Archives a sandbox tenant into the embedded archive only and returns its first N items as delivered. */
async function archivedItems(store: Store, tenantDir: string, dataDir: string): Promise<RenderedItem[]> {
  // workers 0: prepare on the main thread, so worker threads need no TypeScript loader.
  const cfg = parseConfig(
    { dataDir, workers: 0, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenantDir } }] },
    'bench',
    here,
  );
  await runConnector(store, cfg.connectors[0]!, { sources: SOURCES, workers: 0, batchSize: 512 });
  const keys = await store.db.selectFrom('items').select('key').orderBy('seq_key').limit(N).execute();
  if (keys.length < N) throw new Error(`the sandbox archive holds ${keys.length} items, fewer than ${N}`);
  // The same reads the delivery stage makes for each item: exact MIME bytes, model, media.
  return Promise.all(keys.map(async ({ key }) => (await loadRenderedItem(store, key))!));
}

/** Which of the shape's mailboxes item i goes to (round robin: every mailbox gets a share). */
const boxOf = (i: number, boxes: number) => i % boxes;

/**
 * One Maildir (fs layout) per mailbox of the shape, whose folder FOLDER holds that mailbox's
 * items, file times set to the item times; returns the roots and every file written.
 */
async function writeMaildirs(
  root: string,
  items: RenderedItem[],
  boxes: number,
): Promise<{ roots: string[]; files: string[] }> {
  const roots = Array.from({ length: boxes }, (_, b) => join(root, `box-${b}`));
  for (const r of roots) for (const d of ['cur', 'new', 'tmp']) await mkdir(join(r, FOLDER, d), { recursive: true });
  const files: string[] = [];
  for (const [i, item] of items.entries()) {
    const sec = Math.floor(item.time / 1000);
    const file = join(roots[boxOf(i, boxes)]!, FOLDER, 'cur', `${sec}.M${i}P0.bench:2,S`);
    await writeFile(file, item.mime);
    await utimes(file, sec, sec);
    files.push(file);
  }
  return { roots, files };
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

/** One IMAP store, Maildir store and channel per mailbox; `mbsync -a` runs them one after another. */
function mbsyncrc(dv: Dovecot, boxes: { user: string; maildir: string }[], fsync: boolean): string {
  const parts = [fsync ? '' : 'FSync no'];
  for (const [b, { user, maildir }] of boxes.entries()) {
    const pass = dv.users.find((u) => u.name === user)!.password;
    parts.push(
      `IMAPStore far${b}\nHost ${dv.host}\nPort ${dv.port}\nUser ${user}\nPass ${pass}\nSSLType None\nAuthMechs LOGIN\n`,
      `MaildirStore near${b}\nPath ${maildir}/\nSubFolders Verbatim\n`,
      `Channel box${b}\nFar :far${b}:\nNear :near${b}:\nPatterns "${FOLDER}"\nSync Push\nCreate Far\nCopyArrivalDate yes\nSyncState *\n`,
    );
  }
  return parts.join('\n');
}

function imapConfig(dv: Dovecot, id: string) {
  const perMailbox = values['per-mailbox'];
  return destinationSchema.parse({
    ...(perMailbox ? { pool: { perMailbox: Number(perMailbox) } } : {}),
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
async function queue(store: Store, destinationId: string, users: string[], items: RenderedItem[]): Promise<void> {
  await queueDeliveries(
    store.db,
    items.map((item, i) => ({
      connectorId: 'bench',
      destinationId,
      itemKey: item.key,
      mailbox: users[boxOf(i, users.length)]!,
    })),
    0,
  );
}

interface Ctx {
  dv: Dovecot;
  conf: string;
  store: Store;
  items: RenderedItem[];
  /** per shape: the source Maildir of each mailbox, and every message file */
  sources: Record<Shape, { roots: string[]; files: string[] }>;
}

const usersOf = (shape: Shape, m: Method, run: number) =>
  Array.from({ length: boxesOf(shape) }, (_, b) => `${m.toLowerCase()}-${shape}-${run}-${b}@example.com`);

/** Logins Dovecot logged so far (one `imap-login: Login:` line each). */
async function loginsSoFar(dv: Dovecot): Promise<number> {
  return (await dv.log()).split('\n').filter((l) => /imap-login: (Info: )?Login: /.test(l)).length;
}

/** Runs one method into fresh mailboxes; returns the seconds, how many messages it wrote and its logins. */
async function runMethod(
  shape: Shape,
  m: Method,
  run: number,
  c: Ctx,
): Promise<{ seconds: number; count: number; logins: number }> {
  const users = usersOf(shape, m, run);
  const work = (b: number) => join(c.dv.dir, `${m}-${shape}-${run}-${b}`);
  const src = c.sources[shape];
  const loginsBefore = await loginsSoFar(c.dv);
  let seconds: number;
  if (m === 'doveadmImport') {
    for (const [b, root] of src.roots.entries()) await copyMaildir(root, work(b));
    seconds = await timed(async () => {
      for (const [b, user] of users.entries())
        await exec('doveadm', [
          '-c',
          c.conf,
          'import',
          '-u',
          user,
          `maildir:${work(b)}:LAYOUT=fs`,
          '',
          'mailbox',
          FOLDER,
          'all',
        ]);
    });
  } else if (m === 'doveadmSave') {
    await exec('doveadm', ['-c', c.conf, 'mailbox', 'create', '-u', users[0]!, FOLDER]);
    const sample = src.files.slice(0, SAVE_SAMPLE);
    const worker = async () => {
      for (let f = sample.shift(); f !== undefined; f = sample.shift())
        await exec('doveadm', ['-c', c.conf, 'save', '-u', users[0]!, '-m', FOLDER, f]);
    };
    seconds = await timed(() => Promise.all(Array.from({ length: availableParallelism() }, worker)));
  } else if (m === 'mbsync' || m === 'mbsyncNoFsync') {
    for (const [b, root] of src.roots.entries()) await copyMaildir(root, work(b));
    const rc = `${work(0)}.rc`;
    await writeFile(
      rc,
      mbsyncrc(
        c.dv,
        users.map((user, b) => ({ user, maildir: work(b) })),
        m === 'mbsync',
      ),
    );
    seconds = await timed(() => exec('mbsync', ['-q', '-c', rc, '-a']));
  } else {
    const [built] = buildDestinations([imapConfig(c.dv, `imap-${m.toLowerCase()}-${shape}-${run}`)]);
    const { id, destination, perMailbox, overall } = built!;
    if (m === 'oursStage') {
      await queue(c.store, id, users, c.items);
      seconds = await timed(() => deliverDue(c.store, [{ id, destination, perMailbox, overall }]));
    } else {
      // Without the ledger: deliverBatch() straight from memory (no earlier attempt, so no
      // lookup), a lease's worth (100 items) a call, one call at a time: the destination alone.
      seconds = await timed(async () => {
        for (let i = 0; i < c.items.length; i += 100) {
          const results = await destination.deliverBatch!(c.items.slice(i, i + 100), users[0]!);
          const failed = results.find((r) => r.error);
          if (failed) throw failed.error;
        }
      });
    }
    await destination.close();
  }
  let count = 0;
  for (const user of users) count += await countIn(c.conf, user);
  // doveadm works on the mail store directly: it logs in to nothing.
  return { seconds, count, logins: (await loginsSoFar(c.dv)) - loginsBefore };
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

/** Whether mbsync (Debian package `isync`) is installed; without it its rows are skipped. */
async function haveMbsync(): Promise<boolean> {
  return exec('mbsync', ['--version']).then(
    () => true,
    () => false,
  );
}

type Series = Partial<Record<Method, { mps: number[]; logins: number[] }>>;

/** Medians per method, and the ratios of our stage against mbsync and the ceiling. */
function summary(shape: Shape, series: Series) {
  const med = (m: Method, k: 'mps' | 'logins') => (series[m] ? round(median(series[m][k])) : undefined);
  const rate = Object.fromEntries(Object.keys(series).map((m) => [m, med(m as Method, 'mps')]));
  const ratio = (a: Method, b: Method) => {
    const x = med(a, 'mps');
    const y = med(b, 'mps');
    return x !== undefined && y !== undefined ? round(x / y, 3) : null;
  };
  return {
    mailboxes: boxesOf(shape),
    messagesPerSecond: rate,
    range: Object.fromEntries(
      Object.entries(series).map(([m, v]) => [m, [round(Math.min(...v.mps)), round(Math.max(...v.mps))]]),
    ),
    logins: Object.fromEntries(Object.keys(series).map((m) => [m, med(m as Method, 'logins')])),
    ratios: {
      oursStageToDoveadmImport: ratio('oursStage', 'doveadmImport'),
      oursStageToMbsync: ratio('oursStage', 'mbsync'),
      oursStageToMbsyncNoFsync: ratio('oursStage', 'mbsyncNoFsync'),
      ...(shape === 'one' ? { oursDirectToMbsyncNoFsync: ratio('oursDirect', 'mbsyncNoFsync') } : {}),
    },
  };
}

async function main(): Promise<void> {
  const machine = machineWatch();
  const mbsync = await haveMbsync();
  if (!mbsync) console.error('mbsync is not installed (Debian package "isync"): its rows are skipped, no ratio to it');
  const methods = (shape: Shape) => METHODS[shape].filter((m) => mbsync || !m.startsWith('mbsync'));
  const tenantDir = join(tmp, `delivery-tenant-${values.seed}-${N}`);
  const dataDir = join(tmp, 'delivery-imap-data');
  await rm(tenantDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  await generateTenant({ outDir: tenantDir, seed: Number(values.seed), messages: N });
  const store = await openStore(dataDir);
  const items = await archivedItems(store, tenantDir, dataDir);
  const bytes = items.reduce((a, i) => a + i.mime.length, 0);
  const withMedia = items.filter((i) => i.attachments.some((a) => a.bytes)).length;
  const shapes: Shape[] = ['one', 'spread'];
  const users = shapes.flatMap((shape) =>
    methods(shape).flatMap((m) => Array.from({ length: RUNS }, (_, r) => usersOf(shape, m, r)).flat()),
  );
  users.push(COMMANDS_USER);
  const dv = await startDovecot({
    users: users.map((name) => ({ name, password: `pw-${name.split('@')[0]}` })),
    masterUser: MASTER,
    fsync: values.fsync,
  });
  const sizes = items.map((i) => i.mime.length).sort((a, b) => a - b);
  const results: Record<Shape, Series> = { one: {}, spread: {} };
  let commandMs: Awaited<ReturnType<typeof commandCosts>> | undefined;
  try {
    const sources = {
      one: await writeMaildirs(join(dv.dir, 'source-one'), items, 1),
      spread: await writeMaildirs(join(dv.dir, 'source-spread'), items, SPREAD),
    };
    const ctx: Ctx = { dv, conf: join(dv.dir, 'dovecot.conf'), store, items, sources };
    for (let run = 0; run < RUNS; run++) {
      for (const shape of shapes) {
        // A different order in each run, so no method always runs first on a cold cache.
        const list = methods(shape);
        const order = list.map((_, i) => list[(i + run) % list.length]!);
        for (const m of order) {
          const { seconds, count, logins } = await runMethod(shape, m, run, ctx);
          const expected = m === 'doveadmSave' ? SAVE_SAMPLE : N;
          if (count !== expected) throw new Error(`${m} ${shape} run ${run}: ${count} messages, not ${expected}`);
          const r = (results[shape][m] ??= { mps: [], logins: [] });
          r.mps.push(expected / seconds);
          r.logins.push(logins);
          console.error(
            `run ${run + 1}/${RUNS} ${shape} ${m}: ${(expected / seconds).toFixed(1)} msg/s (${seconds.toFixed(2)} s, ${logins} logins)`,
          );
        }
      }
    }
    commandMs = await commandCosts(ctx);
  } finally {
    await dv.stop();
    await store.close();
  }
  const result = {
    date: new Date().toISOString(),
    machine: machine({
      dovecot: dv.version,
      note: 'a shared machine: other heavy jobs ran at the same time (see the load average); absolute rates are noisy, ratios within this run are what count',
    }),
    messages: N,
    withMedia,
    bytes,
    sizeBytes: { median: sizes[sizes.length >> 1], p90: sizes[Math.floor(sizes.length * 0.9)], max: sizes.at(-1) },
    runs: RUNS,
    dovecotMailFsync: values.fsync ? 'optimized' : 'never',
    mbsync: mbsync ? 'installed' : 'not installed: skipped',
    oneMailbox: summary('one', results.one),
    manyMailboxes: summary('spread', results.spread),
    oursCommandMs: commandMs,
    notes: {
      shapes: `oneMailbox: all ${N} items into one mailbox; manyMailboxes: the same items spread round robin over ${SPREAD} mailboxes`,
      doveadmImport:
        'one `doveadm import` process per mailbox reading a Maildir copy of its items: the ceiling (no IMAP, no login)',
      doveadmSave: `one \`doveadm save\` process per message, ${availableParallelism()} at a time, timed on ${SAVE_SAMPLE} messages`,
      mbsync:
        'mbsync (isync) Sync Push from Maildirs over plain IMAP on loopback, default FSync yes; one channel per mailbox, `mbsync -a` runs them one after another',
      mbsyncNoFsync: 'the same with FSync no',
      oursStage: `deliverDue (mailbox lanes, ledger leases, item reads, outcomes committed in groups; SQLite synchronous=FULL) with the IMAP destination, master-user login, pool ${values['per-mailbox'] ?? 4} connections per mailbox, 16 in all; each lease of 100 rows goes as one MULTIAPPEND (RFC 3502), the next lease read while one is on the wire`,
      oursCommandMs:
        'mean ms per command on one connection (NOOP, SEARCH, APPEND), first 500 items; a delivery not in doubt sends only the APPEND',
      oursDirect:
        'the same IMAP destination, deliverBatch() from memory, 100 items a call, one call at a time, no ledger',
      logins: "logins counted from Dovecot's log (`imap-login: Login:` lines) during each method",
    },
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', values.out), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  await rm(dataDir, { recursive: true, force: true });
  await rm(tenantDir, { recursive: true, force: true });
}

await main();
