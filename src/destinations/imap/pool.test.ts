import { describe, expect, it } from 'vitest';
import { ConnectionPool } from './pool.js';

/** Connections counted by the fake server itself, independently of the pool's own stats. */
function fakeServer(openDelayMs = 1) {
  let seq = 0;
  const live = new Map<number, string>();
  const server = {
    peak: 0,
    peakPerKey: 0,
    opened: 0,
    closed: 0,
    failNext: false,
    live,
    perKey: (key: string) => [...live.values()].filter((k) => k === key).length,
    conns: new Map<number, { key: string; usable: boolean }>(),
  };
  const pool = (perKey: number, total: number, idleMs = 60_000, fairMs?: number) =>
    new ConnectionPool<number>({
      perKey,
      total,
      idleMs,
      fairMs,
      open: async (key) => {
        await new Promise((r) => setTimeout(r, openDelayMs));
        if (server.failNext) {
          server.failNext = false;
          throw new Error('refused');
        }
        const id = ++seq;
        live.set(id, key);
        server.conns.set(id, { key, usable: true });
        server.opened++;
        server.peak = Math.max(server.peak, live.size);
        server.peakPerKey = Math.max(server.peakPerKey, server.perKey(key));
        return id;
      },
      close: async (id) => {
        if (!live.delete(id)) throw new Error(`connection ${id} closed twice`);
        server.closed++;
      },
      usable: (id) => server.conns.get(id)?.usable ?? false,
    });
  return { server, pool };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConnectionPool', () => {
  it('never exceeds the per-key and total caps under load, and reuses connections', async () => {
    const { server, pool } = fakeServer();
    const p = pool(2, 5);
    let inFlight = 0;
    let peakInFlight = 0;
    const jobs = Array.from({ length: 300 }, (_, i) =>
      p.use(`m${i % 3}`, async () => {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        await sleep(1 + (i % 3));
        inFlight--;
      }),
    );
    await Promise.all(jobs);
    expect(server.peak).toBe(5);
    expect(server.peakPerKey).toBe(2);
    expect(peakInFlight).toBe(5);
    expect(p.stats()).toMatchObject({ busy: 0, waiting: 0, peakOpen: 5, peakPerKey: 2 });
    // Reuse: a handful of logins for 300 jobs, not one per job.
    expect(server.opened).toBeLessThanOrEqual(10);
    await p.close();
    expect(server.live.size).toBe(0);
  });

  it('more busy keys than slots: connections are reused, not reopened for every job', async () => {
    const { server, pool } = fakeServer();
    const p = pool(2, 8);
    await Promise.all(Array.from({ length: 200 }, (_, i) => p.use(`m${i % 10}`, () => sleep(2))));
    expect(server.peak).toBeLessThanOrEqual(8);
    expect(server.opened).toBeLessThan(30);
    await p.close();
  });

  it('a key kept waiting longer than fairMs gets a connection even while another key has work queued', async () => {
    const { pool } = fakeServer();
    const p = pool(1, 1, 60_000, 30);
    let stop = false;
    const busyKey = async () => {
      while (!stop) await p.use('a', () => sleep(2));
    };
    const loops = [busyKey(), busyKey(), busyKey()];
    await sleep(10);
    const started = Date.now();
    await p.use('b', async () => undefined);
    const waited = Date.now() - started;
    stop = true;
    await Promise.all(loops);
    expect(waited).toBeLessThan(500);
    await p.close();
  });

  it('closes an idle connection of another key when the total cap blocks a waiter', async () => {
    const { server, pool } = fakeServer();
    const p = pool(2, 2);
    await p.use('a', async () => undefined);
    await p.use('a', async () => undefined);
    await Promise.all([p.use('a', () => sleep(5)), p.use('a', () => sleep(5))]);
    expect(server.perKey('a')).toBe(2);
    await p.use('b', async () => undefined);
    expect(server.perKey('a')).toBe(1);
    expect(server.perKey('b')).toBe(1);
    await p.close();
  });

  it('closes connections idle longer than idleMs', async () => {
    const { server, pool } = fakeServer();
    const p = pool(2, 4, 20);
    await Promise.all([p.use('a', () => sleep(2)), p.use('b', () => sleep(2))]);
    expect(server.live.size).toBe(2);
    await sleep(60);
    expect(server.live.size).toBe(0);
    expect(p.stats().open).toBe(0);
  });

  it('drops an unusable connection instead of lending it again', async () => {
    const { server, pool } = fakeServer();
    const p = pool(1, 1);
    const first = await p.use('a', async (id) => {
      const c = server.conns.get(id);
      if (c) c.usable = false;
      return id;
    });
    const second = await p.use('a', async (id) => id);
    expect(second).not.toBe(first);
    expect(server.closed).toBe(1);
    await p.close();
  });

  it('forgets an idle connection the server closed, and frees its slot', async () => {
    const { server, pool } = fakeServer();
    const p = pool(1, 1);
    const id = await p.use('a', async (c) => c);
    const c = server.conns.get(id);
    if (c) c.usable = false;
    p.forget('a', id);
    expect(p.stats().open).toBe(0);
    await p.use('b', async () => undefined);
    expect(server.closed).toBe(1);
    await p.close();
  });

  it('a failed open frees its slot and lets a waiter try', async () => {
    const { server, pool } = fakeServer();
    const p = pool(1, 1);
    server.failNext = true;
    const results = await Promise.allSettled([p.use('a', async () => 1), p.use('a', async () => 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(p.stats()).toMatchObject({ open: 1, busy: 0, waiting: 0 });
    await p.close();
  });

  it('refuses new work once closed and closes connections returned later', async () => {
    const { server, pool } = fakeServer();
    const p = pool(2, 2);
    let release!: () => void;
    const running = p.use('a', () => new Promise<void>((r) => (release = r)));
    await sleep(5);
    await p.close();
    await expect(p.use('a', async () => 1)).rejects.toThrow(/closed/);
    release();
    await running;
    expect(server.live.size).toBe(0);
  });
});

describe('connection pool admission (a cap shared with other processes)', () => {
  it('opens only with an admission, gives it back on close, and closes an admitted idle connection early', async () => {
    let free = 2;
    const live = new Set<number>();
    let peak = 0;
    let seq = 0;
    const admit = async () => {
      if (free === 0) return undefined;
      free--;
      return async () => {
        free++;
      };
    };
    // Two pools on one shared allowance of 2, as two processes on one mailbox's slots.
    const make = () =>
      new ConnectionPool<number>({
        perKey: 2,
        total: 8,
        idleMs: 60_000,
        admittedIdleMs: 50,
        admitPollMs: 10,
        admit,
        open: async () => {
          const id = ++seq;
          live.add(id);
          peak = Math.max(peak, live.size);
          return id;
        },
        close: async (id) => {
          live.delete(id);
        },
        usable: () => true,
      });
    const pools = [make(), make()];
    const work = (p: ConnectionPool<number>) => p.use('a', () => new Promise<void>((r) => setTimeout(r, 20)));
    await Promise.all(pools.flatMap((p) => [work(p), work(p), work(p)]));
    expect(peak).toBe(2);
    // Idle admitted connections close after 50 ms, not 60 s: the allowance comes back.
    await new Promise((r) => setTimeout(r, 150));
    expect(live.size).toBe(0);
    expect(free).toBe(2);
    for (const p of pools) await p.close();
  });
});
