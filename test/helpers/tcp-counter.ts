// A TCP relay in front of a server that counts the connections open through it at once: from
// the client's connect to the client's close (its FIN, or an error). What a client holds open
// is counted in the order the client did it, which a server's own log (written by several
// processes through a log process) does not always keep under load.
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TcpCounter {
  host: string;
  port: number;
  /** connections open through the relay now, and the most at once so far */
  open(): number;
  peak(): number;
  /** connections accepted so far */
  accepted(): number;
  /**
   * For the first moment the most were open: when each of those had opened and, for those that
   * were already open, how long after that moment each ended (ms; relay time), to tell a real
   * overlap from two events read in one turn of the event loop.
   */
  peakDetail(): string;
  close(): Promise<void>;
}

interface Span {
  opened: number;
  ended?: number;
}

export async function startTcpCounter(target: { host: string; port: number }): Promise<TcpCounter> {
  let open = 0;
  let peak = 0;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const spans: Span[] = [];
  let atPeak: Span[] = [];
  const server = createServer((client) => {
    accepted++;
    const span: Span = { opened: performance.now() };
    spans.push(span);
    // Counted once this turn of the event loop has read everything else that was ready with it.
    // The clients often run in this process: one closes its socket (the FIN is in the relay's
    // queue at once), gives its slot back and another connects, all before the relay's next
    // poll, which then returns the FIN and the new connection together in either order. The
    // end events of that batch have run by the check phase, so the order counted is the order
    // the clients acted in. (A run without this counted a close 0.2 ms after the connect that
    // followed it: four open of three.)
    let counted = false;
    let ended = false;
    setImmediate(() => {
      if (ended) return;
      counted = true;
      if (++open > peak) {
        peak = open;
        atPeak = spans.filter((x) => x.ended === undefined);
      }
    });
    const end = () => {
      if (ended) return;
      ended = true;
      span.ended = performance.now();
      if (counted) open--;
    };
    const upstream = createConnection(target.port, target.host);
    sockets.add(client).add(upstream);
    client
      .on('end', end)
      .on('close', end)
      .on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => (upstream.destroy(), sockets.delete(client)));
    upstream.on('close', () => (client.end(), sockets.delete(upstream)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    open: () => open,
    peak: () => peak,
    accepted: () => accepted,
    peakDetail: () => {
      const at = Math.max(...atPeak.map((x) => x.opened));
      const t0 = spans[0]?.opened ?? 0;
      return atPeak
        .map((x) =>
          x.opened === at
            ? `opened at ${(x.opened - t0).toFixed(1)} ms (the newest)`
            : `opened at ${(x.opened - t0).toFixed(1)} ms, ended ${x.ended === undefined ? 'never' : `${(x.ended - at).toFixed(1)} ms after the newest opened`}`,
        )
        .join('; ');
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
