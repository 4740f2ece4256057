/**
 * A small keyed connection pool: at most `perKey` connections to one mailbox and `total` in
 * all, idle connections reused and closed after `idleMs`. A released connection goes to the
 * next caller for the same mailbox (a login saved), unless a mailbox with no connection has
 * been kept waiting longer than `fairMs`: then the connection is closed to make room for it.
 * So with more busy mailboxes than connections, they take turns of about `fairMs` each
 * instead of logging in again for every item. Generic over the connection so the caps are
 * tested without a server; the IMAP destination instantiates it with ImapFlow clients.
 */

export interface PoolOptions<C> {
  perKey: number;
  total: number;
  idleMs: number;
  /** how long a caller may be passed over in favour of reusing a connection (default 1000 ms) */
  fairMs?: number;
  open(key: string): Promise<C>;
  close(conn: C): Promise<void>;
  /** false once a connection can no longer run commands (closed by the server, timed out) */
  usable(conn: C): boolean;
  /**
   * Asked before each new connection to a key: a way to give the permission back once the
   * connection has closed, or undefined while other processes hold every connection the key
   * may have (a server's per-user limit shared by several worker processes). Refused, the
   * opener asks again every `admitPollMs`, closing one of this pool's idle connections each
   * time so that another process waiting for its slot is not kept waiting for idleMs.
   */
  admit?(key: string): Promise<(() => Promise<void>) | undefined>;
  /** how often a refused opener asks again, ms (default 250) */
  admitPollMs?: number;
  /**
   * idle time after which a connection that holds an admission closes, ms (default the
   * smaller of idleMs and 3 s): another process may be waiting for its slot, and cannot say so
   */
  admittedIdleMs?: number;
}

export interface PoolStats {
  /** connections open or opening now */
  open: number;
  /** connections lent out now */
  busy: number;
  /** callers waiting for a connection now */
  waiting: number;
  /** most connections ever open at once */
  peakOpen: number;
  /** most connections ever open at once to a single key */
  peakPerKey: number;
  /** connections opened since the pool was made */
  opened: number;
}

interface Entry<C> {
  idle: { conn: C; timer: NodeJS.Timeout | undefined }[];
  busy: number;
  opening: number;
  /** when the key last lost its last connection (ms), so a key evicted now waits its turn */
  lostAt: number;
}

interface Waiter<C> {
  key: string;
  since: number;
  resolve: (conn: Promise<C>) => void;
}

const DEFAULT_FAIR_MS = 1000;

export class ConnectionPool<C> {
  private readonly entries = new Map<string, Entry<C>>();
  /** every open connection and its key */
  private readonly live = new Map<C, string>();
  /** the admission each open connection holds, given back when it closes */
  private readonly admitted = new Map<C, () => Promise<void>>();
  private waiters: Waiter<C>[] = [];
  private total = 0;
  private closed = false;
  private readonly counters = { peakOpen: 0, peakPerKey: 0, opened: 0 };

  constructor(private readonly opts: PoolOptions<C>) {}

  /** Runs fn with a connection of `key`; a connection left unusable by fn is dropped. */
  async use<T>(key: string, fn: (conn: C) => Promise<T>): Promise<T> {
    const conn = await this.acquire(key);
    try {
      return await fn(conn);
    } finally {
      this.release(key, conn);
    }
  }

  acquire(key: string): Promise<C> {
    if (this.closed) return Promise.reject(new Error('the connection pool is closed'));
    const now = this.take(key);
    if (now) return now;
    return new Promise<C>((resolve, reject) => {
      this.waiters.push({ key, since: Date.now(), resolve: (conn) => conn.then(resolve, reject) });
    });
  }

  release(key: string, conn: C): void {
    const e = this.entry(key);
    e.busy--;
    if (this.closed || !this.opts.usable(conn)) {
      void this.dispose(conn);
      this.serveWaiters();
      return;
    }
    const starving = this.starving(key);
    if (starving) {
      // The slot changes hands: this connection closes, the starving key opens one.
      void this.dispose(conn);
      this.waiters.splice(this.waiters.indexOf(starving), 1);
      starving.resolve(this.take(starving.key) ?? Promise.reject(new Error('no connection slot')));
      this.serveWaiters();
      return;
    }
    const same = this.waiters.findIndex((w) => w.key === key);
    if (same >= 0) {
      const [w] = this.waiters.splice(same, 1);
      e.busy++;
      w?.resolve(Promise.resolve(conn));
      return;
    }
    const slot = { conn, timer: undefined as NodeJS.Timeout | undefined };
    slot.timer = setTimeout(() => {
      const i = e.idle.indexOf(slot);
      if (i >= 0) e.idle.splice(i, 1);
      void this.dispose(conn);
    }, this.idleMsOf(conn));
    slot.timer.unref();
    e.idle.push(slot);
    this.serveWaiters();
  }

  /** The oldest waiter of another key that has had no connection for longer than fairMs. */
  private starving(except: string): Waiter<C> | undefined {
    const now = Date.now();
    const fairMs = this.opts.fairMs ?? DEFAULT_FAIR_MS;
    return this.waiters.find((w) => {
      if (w.key === except) return false;
      const e = this.entry(w.key);
      return e.busy + e.opening + e.idle.length === 0 && now - Math.max(w.since, e.lostAt) >= fairMs;
    });
  }

  /** Forgets a connection that closed by itself while idle (server logout, network drop). */
  forget(key: string, conn: C): void {
    const e = this.entries.get(key);
    const i = e ? e.idle.findIndex((s) => s.conn === conn) : -1;
    if (!e || i < 0) return;
    clearTimeout(e.idle[i]?.timer);
    e.idle.splice(i, 1);
    void this.dispose(conn);
    this.serveWaiters();
  }

  stats(): PoolStats {
    let busy = 0;
    for (const e of this.entries.values()) busy += e.busy;
    return { open: this.total, busy, waiting: this.waiters.length, ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const e of this.entries.values()) {
      for (const slot of e.idle.splice(0)) {
        clearTimeout(slot.timer);
        closing.push(this.dispose(slot.conn));
      }
    }
    for (const w of this.waiters.splice(0)) w.resolve(Promise.reject(new Error('the connection pool is closed')));
    await Promise.all(closing);
  }

  private entry(key: string): Entry<C> {
    let e = this.entries.get(key);
    if (!e) {
      e = { idle: [], busy: 0, opening: 0, lostAt: 0 };
      this.entries.set(key, e);
    }
    return e;
  }

  /** A connection for key now (idle or newly opened), or undefined when a cap says wait. */
  private take(key: string): Promise<C> | undefined {
    const e = this.entry(key);
    for (let slot = e.idle.pop(); slot; slot = e.idle.pop()) {
      clearTimeout(slot.timer);
      if (this.opts.usable(slot.conn)) {
        e.busy++;
        return Promise.resolve(slot.conn);
      }
      void this.dispose(slot.conn);
    }
    if (e.busy + e.opening >= this.opts.perKey) return undefined;
    if (this.total >= this.opts.total && !this.evictIdle()) return undefined;
    e.opening++;
    this.total++;
    this.counters.opened++;
    this.counters.peakOpen = Math.max(this.counters.peakOpen, this.total);
    this.counters.peakPerKey = Math.max(this.counters.peakPerKey, e.busy + e.opening);
    return this.admitThenOpen(key).then(
      (conn) => {
        e.opening--;
        e.busy++;
        this.live.set(conn, key);
        return conn;
      },
      (err: unknown) => {
        e.opening--;
        this.total--;
        this.serveWaiters();
        throw err;
      },
    );
  }

  private idleMsOf(conn: C): number {
    if (!this.admitted.has(conn)) return this.opts.idleMs;
    return Math.min(this.opts.idleMs, this.opts.admittedIdleMs ?? 3000);
  }

  /** Opens a connection once `admit` lets it (at once without one); the admission goes with it. */
  private async admitThenOpen(key: string): Promise<C> {
    const admit = this.opts.admit;
    if (!admit) return this.opts.open(key);
    let giveBack: (() => Promise<void>) | undefined;
    for (;;) {
      if (this.closed) throw new Error('the connection pool is closed');
      giveBack = await admit(key);
      if (giveBack) break;
      this.evictIdle();
      await new Promise((r) => setTimeout(r, this.opts.admitPollMs ?? 250));
    }
    try {
      const conn = await this.opts.open(key);
      this.admitted.set(conn, giveBack);
      return conn;
    } catch (err) {
      await giveBack().catch(() => undefined);
      throw err;
    }
  }

  /** Closes the longest-idle connection of the first key that has one; false if none. */
  private evictIdle(): boolean {
    for (const e of this.entries.values()) {
      const slot = e.idle.shift();
      if (slot) {
        clearTimeout(slot.timer);
        void this.dispose(slot.conn);
        return true;
      }
    }
    return false;
  }

  private dispose(conn: C): Promise<void> {
    const key = this.live.get(conn);
    if (key === undefined) return Promise.resolve();
    this.live.delete(conn);
    this.total--;
    const e = this.entry(key);
    if (e.busy + e.opening + e.idle.length === 0) e.lostAt = Date.now();
    const giveBack = this.admitted.get(conn);
    this.admitted.delete(conn);
    // A failed close of a connection we are dropping anyway changes nothing for the caller; the
    // admission goes back once the server has seen the connection end.
    return this.opts
      .close(conn)
      .catch(() => undefined)
      .then(() => giveBack?.())
      .catch(() => undefined);
  }

  /** Serves waiters oldest first, each as soon as the caps allow; the rest keep waiting. */
  private serveWaiters(): void {
    for (let i = 0; i < this.waiters.length;) {
      const w = this.waiters[i] as Waiter<C>;
      const got = this.take(w.key);
      if (got) {
        this.waiters.splice(i, 1);
        w.resolve(got);
      } else {
        i++;
      }
    }
  }
}
