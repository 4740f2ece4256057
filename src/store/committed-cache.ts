/**
 * Caches of rows known to be committed, per database handle: the search index's aliases and facet
 * value ids, which nearly every indexed message repeats (the same people, mailboxes and
 * conversations), so that a batch does not look each of them up again in a B-tree.
 *
 * A value learnt inside a transaction is staged, and becomes known only when that transaction
 * commits; a rollback drops it. A cache therefore never vouches for a row the database lost (a
 * facet id reused by another value after a rollback would attach items to the wrong person).
 * Only the transactions that `trackedTransaction` runs (the store's `transact` and the search
 * index's own) stage anything: outside them, `stage` does nothing and every look-up goes to the
 * database.
 */

/** Known values kept per cache before it starts again (a bound on memory, not on correctness). */
const MAX_KNOWN = 200_000;

export class CommittedCache<V> {
  private readonly known = new Map<string, V>();
  private readonly staged = new Map<string, V>();

  constructor(private readonly conn: ConnectionState) {
    conn.caches.add(this as CommittedCache<unknown>);
  }

  get(key: string): V | undefined {
    return this.known.get(key) ?? this.staged.get(key);
  }

  /** Records a value read or written in the current tracked transaction. */
  stage(key: string, value: V): void {
    if (this.conn.depth > 0) this.staged.set(key, value);
  }

  /** @internal */
  settle(committed: boolean): void {
    if (committed) {
      if (this.known.size + this.staged.size > MAX_KNOWN) this.known.clear();
      for (const [k, v] of this.staged) this.known.set(k, v);
    }
    this.staged.clear();
  }
}

interface ConnectionState {
  depth: number;
  /** an inner transaction (a savepoint) rolled back: what the outer one staged is not trusted */
  failed: boolean;
  caches: Set<CommittedCache<unknown>>;
}

const STATES = new WeakMap<object, ConnectionState>();

function stateOf(c: object): ConnectionState {
  let s = STATES.get(c);
  if (!s) {
    s = { depth: 0, failed: false, caches: new Set() };
    STATES.set(c, s);
  }
  return s;
}

/** A cache on database handle `c` (a Db) whose values outlive a transaction only once it commits. */
export function committedCache<V>(c: object): CommittedCache<V> {
  return new CommittedCache<V>(stateOf(c));
}

function enter(c: object): ConnectionState {
  const s = stateOf(c);
  s.depth++;
  return s;
}

function leave(s: ConnectionState, committed: boolean): void {
  if (!committed) s.failed = true;
  if (--s.depth > 0) return;
  for (const cache of s.caches) cache.settle(!s.failed);
  s.failed = false;
}

/**
 * Runs `fn`, which opens and ends one transaction on the database `c` (commit when it returns, rollback
 * when it throws), and settles the caches of `c` accordingly. Nested calls settle once, at
 * the outermost, and a nested one that failed makes the outermost drop what was staged.
 */
export async function trackedTransaction<T>(c: object, fn: () => Promise<T>): Promise<T> {
  const s = enter(c);
  let committed = false;
  try {
    const result = await fn();
    committed = true;
    return result;
  } finally {
    leave(s, committed);
  }
}

/** The synchronous form of trackedTransaction, for better-sqlite3's own transactions. */
export function trackedTransactionSync<T>(c: object, fn: () => T): T {
  const s = enter(c);
  let committed = false;
  try {
    const result = fn();
    committed = true;
    return result;
  } finally {
    leave(s, committed);
  }
}
