// The per-account connection cap held across worker processes, against a real Dovecot: three
// IMAP destinations with their own pools (as three `serve --role worker` processes have), each
// allowed 3 connections to a mailbox, deliver 60 items at once into one mailbox. With the
// slots shared through the database, a relay in front of Dovecot never has more than 3
// connections open at once (counted in the order the clients opened and closed them; Dovecot's
// log, written by its processes through a log process, can list a login before the logout that
// came first when the machine is loaded); without them (the control), the three pools together
// go past it. The slots are
// the account's (server and user), not a connector's: two connectors per process delivering to
// the same user (each to its own folder) stay within the one cap too. Both dialects.
import { expect, it } from 'vitest';
import { createImapDestination, type ImapDestination } from '../src/destinations/imap/index.js';
import { ProcessSlots, slotLeaseName } from '../src/pipeline/role-connection-slots.js';
import { describeDialects, storeEachTest } from './helpers/dialects.js';
import { textItems, type Dovecot } from './helpers/dovecot.js';
import { startTcpCounter } from './helpers/tcp-counter.js';
import { dovecotPerTest, MASTER, masterImapConfig } from './helpers/imap-destination.js';

const USER = 'alice@example.com';
const CAP = 3;
const PROCESSES = 3;

const { cleanups, dovecot } = dovecotPerTest();

/** Logins of USER in Dovecot's log: the sessions were real ones, as many as the relay counted. */
function loginsOf(log: string): number {
  return log.split('\n').filter((line) => /imap-login: (Info: )?Login: /.test(line) && line.includes(`user=<${USER}>`))
    .length;
}

/**
 * Delivers through a relay that counts the connections open at once (in the order the clients
 * opened and closed them), and reads the logins from Dovecot's log.
 */
async function measured(
  d: Dovecot,
  run: (server: { host: string; port: number }) => Promise<void>,
): Promise<{ peak: number; logins: number; connections: number; atPeak: string }> {
  const relay = await startTcpCounter(d);
  try {
    await run(relay);
  } finally {
    await relay.close();
  }
  return {
    peak: relay.peak(),
    logins: loginsOf(await d.log()),
    connections: relay.accepted(),
    atPeak: relay.peakDetail(),
  };
}

async function deliverAll(
  d: { host: string; port: number },
  slots: ((i: number) => ProcessSlots) | undefined,
  connectors = 1,
): Promise<void> {
  const dests: ImapDestination[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    for (let c = 0; c < connectors; c++) {
      const cfg = {
        ...masterImapConfig(d, MASTER, USER),
        folder: `Connector ${c}`,
        pool: { perMailbox: CAP, total: 16, idleMs: 60_000 },
      };
      const connectionSlots = slots?.(i);
      dests.push(createImapDestination(cfg, connectionSlots ? { connectionSlots } : {}));
    }
  }
  try {
    // Each process sends its items one by one, CAP at a time: every pool opens all it may.
    await Promise.all(
      dests.map((dest, p) => {
        const items = textItems(Math.ceil(20 / connectors), `p${p}`);
        return Promise.all(
          Array.from({ length: CAP }, async (_, lane) => {
            for (let i = lane; i < items.length; i += CAP) await dest.deliver(items[i]!, USER, { inDoubt: false });
          }),
        );
      }),
    );
  } finally {
    for (const dest of dests) await dest.close();
  }
}

describeDialects('IMAP connection slots across processes', (t) => {
  const store = storeEachTest(t, 'serve-roles-slots');

  it(`keeps ${PROCESSES} processes to ${CAP} connections of one mailbox at the server`, async () => {
    const d = await dovecot();
    const processes = Array.from(
      { length: PROCESSES },
      (_, i) => new ProcessSlots(store().db, { owner: `P${i}`, holder: `worker ${i}`, ttlMs: 30_000 }),
    );
    cleanups.push(async () => processes.forEach((p) => p.close()));
    let account = '';
    const seen = await measured(d, async (server) => {
      account = `${server.host}:${server.port}/${USER}`;
      await deliverAll(server, (i) => processes[i]!);
    });
    console.log(JSON.stringify({ dialect: t.kind, shared: true, ...seen }));
    expect(seen.logins).toBeGreaterThanOrEqual(CAP);
    expect(seen.peak, seen.atPeak).toBeLessThanOrEqual(CAP);
    // Every slot was given back as its connection closed.
    const held = await store()
      .db.selectFrom('leases')
      .select(['name', 'owner'])
      .where('name', 'like', 'imap-slot:%')
      .where('owner', 'is not', null)
      .execute();
    expect(held).toEqual([]);
    const names = await store().db.selectFrom('leases').select('name').where('name', 'like', 'imap-slot:%').execute();
    expect(names.map((n) => n.name).sort()).toEqual(
      Array.from({ length: CAP }, (_, n) => slotLeaseName(account, n)).sort(),
    );
  });

  it(`keeps two connectors of ${PROCESSES} processes, on one server and user, to ${CAP} connections together`, async () => {
    const d = await dovecot();
    const processes = Array.from(
      { length: PROCESSES },
      (_, i) => new ProcessSlots(store().db, { owner: `P${i}`, holder: `worker ${i}`, ttlMs: 30_000 }),
    );
    cleanups.push(async () => processes.forEach((p) => p.close()));
    const seen = await measured(d, (server) => deliverAll(server, (i) => processes[i]!, 2));
    console.log(JSON.stringify({ dialect: t.kind, shared: true, connectors: 2, ...seen }));
    expect(seen.logins).toBeGreaterThanOrEqual(CAP);
    expect(seen.peak, seen.atPeak).toBeLessThanOrEqual(CAP);
  });

  it('without shared slots (the control) the same processes go past the cap together', async () => {
    const d = await dovecot();
    const seen = await measured(d, (server) => deliverAll(server, undefined));
    console.log(JSON.stringify({ dialect: t.kind, shared: false, ...seen }));
    expect(seen.peak).toBeGreaterThan(CAP);
  });
});
