// A job on a schedule among several processes, on both dialects: under its lease exactly one
// process runs it; when that process stops, another takes the lease and starts the job.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import { leaseHolder, type Store } from '../store/index.js';
import { startUnderLease, type RunningRole } from './roles.js';

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describeDialects('jobs under a lease', (t) => {
  let shared: SharedDbs;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 2);
  });
  afterEach(async () => {
    await shared.close();
  });

  it('runs the job in one process at a time, and in the other once the first stops', async () => {
    const running = new Set<string>();
    const starts: string[] = [];
    const job = (who: string) => (): RunningRole => {
      running.add(who);
      starts.push(who);
      return { stop: async () => void running.delete(who) };
    };
    // Each process its own connection (PostgreSQL) or the one writer's (SQLite).
    const dbOf = (i: number) => (t.kind === 'postgres' ? shared.dbs[i]! : shared.dbs[0]!);
    const deps = (i: number) => ({
      store: { db: dbOf(i) } as unknown as Store,
      owner: `P${i}`,
      holder: `process ${i}`,
      leaseMs: 1_000,
    });
    const a = startUnderLease(deps(0), 'schedule:test', job('A'));
    await waitFor(() => running.has('A'));
    const b = startUnderLease(deps(1), 'schedule:test', job('B'));
    // B waits while A holds the lease, renewed well within its second.
    await new Promise((r) => setTimeout(r, 1_500));
    expect([...running]).toEqual(['A']);
    await a.stop();
    expect(running.has('A')).toBe(false);
    await waitFor(() => running.has('B'));
    expect(starts).toEqual(['A', 'B']);
    const holder = await leaseHolder(dbOf(0), 'schedule:test', Date.now());
    expect(holder?.owner).toBe('P1');
    expect(holder?.token).toBe(2);
    await b.stop();
    expect(running.size).toBe(0);
  });
});
