/**
 * The IMAP destination: APPENDs each rendered item into a folder of the mailbox, over pooled
 * ImapFlow connections. When an earlier attempt's outcome is unknown (a crash between APPEND
 * and the delivery ledger, a connection lost mid-APPEND) it first looks the Message-ID up, so
 * that never leaves two copies; otherwise the APPEND alone is one round trip, and a backlog
 * goes as batches (MULTIAPPEND where offered, see batch.ts). Works with any IMAP server;
 * tested on Dovecot.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { messageIdFor } from '../../render/headers.js';
import {
  DestinationError,
  type BatchResult,
  type DeliverHints,
  type Destination,
  type DeliveryOutcome,
  type RenderedItem,
} from '../types.js';
import { loginFor, loginName, sessionUser, sharedLogin, type TokenProvider } from './auth.js';
import { batchDeliverer } from './batch-deliver.js';
import { runCheck } from './check.js';
import { imapDestinationSchema, portOf, type ImapDestinationConfig, type ImapSettings } from './config.js';
import { classifyImapError, tooLarge, type FailureContext } from './errors.js';
import {
  appendItem,
  appendLimitOf,
  FolderCache,
  findByMessageId,
  findMessageIds,
  folderMissing,
  internalDateOf,
  openFresh,
  remoteIdOf,
} from './folder.js';
import { ConnectionPool, type PoolStats } from './pool.js';

/**
 * imapflow (about 120 modules, 0.3 s of CPU to load) loads when the first connection is opened,
 * not with every process that reads the destinations' code: `status`, a console process or an
 * archive without an IMAP destination never open one.
 */
let imapflow: Promise<typeof import('imapflow')> | undefined;
const loadImapFlow = () => (imapflow ??= import('imapflow'));
export interface ImapDestinationDeps {
  /** XOAUTH2 access tokens per mailbox (required with auth.kind = 'xoauth2') */
  tokenProvider?: TokenProvider;
  /** parent logger; gets a child `{ component: 'imap' }`. Message content is never logged. */
  logger?: Logger;
  /**
   * Connections to an account shared with other processes and connectors delivering to the same
   * server: each new connection first takes one of the account's `pool.perMailbox` slots, so the
   * cap holds across all of them (a server's per-user limit, Dovecot's mail_max_userip_connections).
   */
  connectionSlots?: ConnectionSlots;
}

/**
 * Slots of an account's connections at a server: a way to give the slot back, or undefined while
 * all are taken. `account` names the server and the session's user (`host:port/user`), so every
 * destination and connector reaching the same account shares its `cap`.
 */
export interface ConnectionSlots {
  take(account: string, cap: number): Promise<(() => Promise<void>) | undefined>;
}

export interface ImapDestination extends Destination {
  readonly kind: 'imap';
  /** connection pool counters (open, busy, peaks), for monitoring and tests */
  stats(): PoolStats;
}

/** How long a "the check mailbox logs in fine" answer is trusted when classifying a refused login. */
const PROBE_TTL_MS = 60_000;
/** Longest wait for a polite LOGOUT before the socket is just closed. */
const LOGOUT_MS = 2_000;

export function createImapDestination(config: ImapDestinationConfig, deps: ImapDestinationDeps = {}): ImapDestination {
  const cfg: ImapSettings = imapDestinationSchema.parse(config);
  const server = `${cfg.host}:${portOf(cfg)}`;
  const log = deps.logger?.child({ component: 'imap', server });
  const folders = new FolderCache();
  let probe: { at: number; ok: boolean } | undefined;
  /**
   * Whether this server keeps the date given to APPEND as INTERNALDATE (RFC 3501 says SHOULD).
   * Unknown until the first append is read back; until then, and for ever if it does not,
   * the duplicate search covers the whole folder instead of a window around the item's time.
   */
  let datesKept: boolean | undefined;

  // ImapFlow's own log lines carry protocol detail; only its warnings are passed on, reduced
  // to their text, so no command (and no APPEND literal) can reach the log.
  const imapLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (o: { msg?: string; cid?: string }) => log?.warn({ cid: o.cid }, `imapflow: ${o.msg ?? ''}`),
    error: (o: { msg?: string; cid?: string }) => log?.warn({ cid: o.cid }, `imapflow: ${o.msg ?? ''}`),
  };

  async function open(mailbox: string): Promise<ImapFlow> {
    const ctx: FailureContext = { op: 'login', mailbox, server };
    let client: ImapFlow | undefined;
    try {
      const { ImapFlow } = await loadImapFlow();
      client = new ImapFlow({
        host: cfg.host,
        port: portOf(cfg),
        secure: cfg.secure,
        // true = STARTTLS required (a server without it is refused), false = never.
        doSTARTTLS: cfg.secure ? undefined : cfg.starttls,
        tls: {
          rejectUnauthorized: cfg.tls.rejectUnauthorized,
          minVersion: 'TLSv1.2',
          ...(cfg.tls.ca ? { ca: cfg.tls.ca } : {}),
          ...(cfg.tls.servername ? { servername: cfg.tls.servername } : {}),
        },
        auth: await loginFor(cfg.auth, mailbox, deps.tokenProvider),
        logger: imapLogger,
        disableAutoIdle: true,
        connectionTimeout: cfg.timeouts.connectMs,
        greetingTimeout: cfg.timeouts.greetingMs,
        socketTimeout: cfg.timeouts.socketMs,
        clientInfo: { name: 'wechat-archiver' },
      });
      const conn = client;
      // An EventEmitter 'error' without a listener would end the process.
      conn.on('error', (err: Error) => log?.warn({ mailbox, err: err.message }, 'imap connection error'));
      conn.on('close', () => pool.forget(mailbox, conn));
      await conn.connect();
      log?.debug({ mailbox, user: loginName(cfg.auth, mailbox) }, 'imap connection opened');
      return conn;
    } catch (err) {
      client?.close();
      throw classifyImapError(err, ctx);
    }
  }

  async function close(client: ImapFlow): Promise<void> {
    if (!client.usable) return client.close();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, LOGOUT_MS).unref());
    await Promise.race([client.logout().catch(() => undefined), timer]);
    client.close();
  }

  const pool = new ConnectionPool<ImapFlow>({
    perKey: cfg.pool.perMailbox,
    total: cfg.pool.total,
    idleMs: cfg.pool.idleMs,
    open,
    close,
    usable: (c) => c.usable,
    ...(deps.connectionSlots
      ? {
          admit: (mailbox: string) =>
            deps.connectionSlots!.take(
              `${cfg.host}:${portOf(cfg)}/${sessionUser(cfg.auth, mailbox)}`,
              cfg.pool.perMailbox,
            ),
        }
      : {}),
  });

  /**
   * A refused login for one mailbox may mean the credentials are wrong (pause everything) or
   * that this mailbox does not exist or is not open to this login (hold just its items).
   * AUTHORIZATIONFAILED (RFC 5530: the identity is fine, acting as this user is not) says so
   * outright, as Dovecot does for a master login; otherwise a login to the check mailbox
   * tells the two apart.
   */
  async function refine(err: DestinationError, mailbox: string): Promise<DestinationError> {
    if (err.failure !== 'auth' || sharedLogin(cfg.auth) || mailbox === cfg.checkMailbox) return err;
    if (/certificate|TLS/.test(err.message)) return err;
    const code = (err.cause as { serverResponseCode?: string } | undefined)?.serverResponseCode;
    if (code !== 'AUTHORIZATIONFAILED') {
      if (!probe || Date.now() - probe.at > PROBE_TTL_MS) {
        const ok = await pool.use(cfg.checkMailbox, async () => true).catch(() => false);
        probe = { at: Date.now(), ok };
      }
      if (!probe.ok) return err;
    }
    return new DestinationError(
      'permanent',
      `${server}: login as "${loginName(cfg.auth, mailbox)}" was refused while logins to ${cfg.checkMailbox} work; the mailbox ${mailbox} does not exist on this server or this login may not open it: fix the mapping, grant the login access to the mailbox or correct its password, then retry the held items`,
      { cause: err },
    );
  }

  /** The smaller of the server's APPENDLIMIT and the configured maxMessageBytes, if any. */
  function limitOf(client: ImapFlow): number | undefined {
    const known = [appendLimitOf(client), cfg.maxMessageBytes].filter((n): n is number => n !== undefined);
    return known.length ? Math.min(...known) : undefined;
  }

  /** Connections that completed an operation: a failure on one of them may just be staleness. */
  const proven = new WeakSet<ImapFlow>();

  /** Runs fn on a connection of the mailbox with the folder open and fresh; failures classified. */
  async function inFolder<T>(
    mailbox: string,
    op: string,
    fn: (c: ImapFlow, path: string) => Promise<T>,
    size?: number,
  ): Promise<T> {
    const ctx: FailureContext = { op, mailbox, server, size, limit: cfg.maxMessageBytes };
    for (let attempt = 1; ; attempt++) {
      let stale = false;
      try {
        return await pool.use(mailbox, async (client) => {
          try {
            const result = await inFolderOn(client, mailbox, fn, ctx);
            proven.add(client);
            return result;
          } catch (err) {
            // A reused connection the server dropped while it sat in the pool (idle logout,
            // NAT timeout, a deleted folder's BYE) gets one fresh connection at once. Safe
            // even after a lost APPEND: the retry searches before it appends.
            stale = proven.has(client) && !client.usable;
            throw err;
          }
        });
      } catch (err) {
        if (stale && attempt === 1) continue;
        // Refined here, once the failed connection no longer holds a pool slot the probe may need.
        throw await refine(classifyImapError(err, ctx), mailbox);
      }
    }
  }

  async function inFolderOn<T>(
    client: ImapFlow,
    mailbox: string,
    fn: (c: ImapFlow, path: string) => Promise<T>,
    ctx: FailureContext,
  ): Promise<T> {
    let path = await folders.ensure(client, mailbox, cfg.folder);
    try {
      await openFresh(client, path);
    } catch (err) {
      folders.drop(mailbox);
      // Someone deleted the folder since it was cached: make it again, once.
      if (!(err as { mailboxMissing?: boolean }).mailboxMissing) throw err;
      path = await folders.ensure(client, mailbox, cfg.folder);
      await openFresh(client, path);
    }
    ctx.limit = limitOf(client);
    return fn(client, path);
  }

  /** Reads back the first appended item's INTERNALDATE; a failure here only leaves it unknown. */
  async function learnDates(client: ImapFlow, uid: number, time: number): Promise<void> {
    try {
      const stored = await internalDateOf(client, uid);
      if (stored === undefined || datesKept !== undefined) return;
      datesKept = stored === Math.floor(time / 1000) * 1000;
      if (!datesKept) log?.warn('imap server ignores APPEND dates: duplicate checks search whole folders');
    } catch (err) {
      log?.debug({ err: (err as Error).message }, 'imap INTERNALDATE read-back failed');
    }
  }

  async function has(key: string, mailbox: string): Promise<boolean> {
    const messageId = messageIdFor(key);
    return inFolder(mailbox, `SEARCH in "${cfg.folder}"`, async (client) => {
      return (await findByMessageId(client, messageId)).length > 0;
    });
  }

  async function findMany(items: readonly RenderedItem[], mailbox: string): Promise<Map<string, string | undefined>> {
    const ids = new Map(items.map((i) => [messageIdFor(i.key), i.key]));
    return inFolder(mailbox, `SEARCH in "${cfg.folder}"`, async (client) => {
      const found = await findMessageIds(client, [...ids.keys()], datesKept ? items.map((i) => i.time) : undefined);
      return new Map([...found].map(([id, uid]) => [ids.get(id)!, remoteIdOf(client, uid)]));
    });
  }

  /**
   * A lookup searches for the id derived from the key: an item carrying another id could
   * never be found again, and a retry would append a second copy.
   */
  function wrongMessageId(item: RenderedItem): DestinationError | undefined {
    const messageId = messageIdFor(item.key);
    if (item.messageId === messageId) return undefined;
    return new DestinationError(
      'permanent',
      `item ${item.key} carries Message-ID ${item.messageId}, not ${messageId} derived from its key; it must be rendered again`,
    );
  }

  async function deliver(item: RenderedItem, mailbox: string, hints: DeliverHints = {}): Promise<DeliveryOutcome> {
    const wrong = wrongMessageId(item);
    if (wrong) throw wrong;
    return hints.inDoubt === false ? appendOnly(item, mailbox) : lookThenAppend(item, mailbox);
  }

  /** Items no earlier attempt can have stored, APPENDed together on one connection. */
  async function deliverBatch(items: readonly RenderedItem[], mailbox: string): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    const todo: number[] = [];
    for (const [i, item] of items.entries()) {
      const wrong = wrongMessageId(item);
      if (wrong) results[i] = { error: wrong };
      else todo.push(i);
    }
    await batchInto(items, todo, mailbox, results, 1);
    return results;
  }

  const batchInto = batchDeliverer({
    pool,
    folders,
    folder: cfg.folder,
    server,
    maxMessageBytes: cfg.maxMessageBytes,
    limitOf,
    proven,
    refine,
    lookThenAppend: (item, mailbox) => lookThenAppend(item, mailbox),
    ...(log ? { log } : {}),
  });

  /** No earlier attempt can have stored the item: APPEND without selecting or searching. */
  async function appendOnly(item: RenderedItem, mailbox: string): Promise<DeliveryOutcome> {
    const size = item.mime.length;
    const ctx: FailureContext = { op: `APPEND to "${cfg.folder}"`, mailbox, server, size, limit: cfg.maxMessageBytes };
    let stale = false;
    try {
      return await pool.use(mailbox, async (client) => {
        try {
          ctx.limit = limitOf(client);
          if (ctx.limit !== undefined && size > ctx.limit) throw tooLarge({ ...ctx, op: 'APPEND' }, 'not sent');
          let path = await folders.ensure(client, mailbox, cfg.folder);
          let res;
          try {
            res = await appendItem(client, path, item.mime, item.time);
          } catch (err) {
            // Someone deleted the folder since it was cached: the server stored nothing; make it again, once.
            if (!folderMissing(err) || !client.usable) throw err;
            folders.drop(mailbox);
            path = await folders.ensure(client, mailbox, cfg.folder);
            res = await appendItem(client, path, item.mime, item.time);
          }
          proven.add(client);
          log?.debug({ mailbox, key: item.key, bytes: size, uid: res.uid }, 'imap item appended');
          return { status: 'delivered' as const, remoteId: remoteIdOf(client, res.uid, res.uidValidity) };
        } catch (err) {
          stale = proven.has(client) && !client.usable;
          throw err;
        }
      });
    } catch (err) {
      // A reused connection that died under the APPEND: the server may have stored the item
      // before it went, so the one retry on a fresh connection looks first.
      if (stale) return lookThenAppend(item, mailbox);
      throw await refine(classifyImapError(err, ctx), mailbox);
    }
  }

  /** An earlier attempt may have stored the item: look its Message-ID up, APPEND only if absent. */
  async function lookThenAppend(item: RenderedItem, mailbox: string): Promise<DeliveryOutcome> {
    const messageId = item.messageId;
    const size = item.mime.length;
    return inFolder(
      mailbox,
      `APPEND to "${cfg.folder}"`,
      async (client, path) => {
        const found = await findByMessageId(client, messageId, datesKept ? item.time : undefined);
        if (found.length > 0) {
          log?.debug({ mailbox, key: item.key }, 'imap item already present');
          return { status: 'duplicate', remoteId: remoteIdOf(client, found[0]) };
        }
        const limit = limitOf(client);
        if (limit !== undefined && size > limit) {
          throw tooLarge({ op: 'APPEND', mailbox, server, size, limit }, 'not sent');
        }
        const { uid } = await appendItem(client, path, item.mime, item.time);
        log?.debug({ mailbox, key: item.key, bytes: size, uid }, 'imap item appended');
        if (datesKept === undefined && uid !== undefined) await learnDates(client, uid, item.time);
        return { status: 'delivered', remoteId: remoteIdOf(client, uid) };
      },
      size,
    );
  }

  return {
    kind: 'imap',
    check: () => runCheck(cfg, server, pool, folders),
    has,
    deliver,
    deliverBatch,
    findMany,
    stats: () => pool.stats(),
    close: () => pool.close(),
  };
}
