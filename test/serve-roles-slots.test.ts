// The per-account connection cap held across worker processes, counted at a real Dovecot: three
// IMAP destinations with their own pools (as three `serve --role worker` processes have), each
// allowed 3 connections to a mailbox, deliver 60 items at once into one mailbox. With the
// slots shared through the database, Dovecot's own log never shows more than 3 sessions of the
// user at once; without them (the control), the three pools together go past it. The slots are
// the account's (server and user), not a connector's: two connectors per process delivering to
// the same user (each to its own folder) stay within the one cap too. Both dialects.
import { expect, it } from 'vitest';
import { createImapDestination, type ImapDestination } from '../src/destinations/imap/index.js';
import { ProcessSlots, slotLeaseName } from '../src/pipeline/role-connection-slots.js';
import { describeDialects, storeEachTest } from './helpers/dialects.js';
import { textItems, type Dovecot } from './helpers/dovecot.js';
import { dovecotPerTest, MASTER, masterImapConfig } from './helpers/imap-destination.js';

const USER = 'alice@example.com';
const CAP = 3;
const PROCESSES = 3;

const { cleanups, dovecot } = dovecotPerTest();

/**
 * Most sessions of USER open at once, from Dovecot's log: a session starts at its
 * `imap-login: Login: user=<USER>` line and ends at the line of the same session id that says
 * it disconnected.
 */
function peakSessions(log: string): { peak: number; logins: number } {
  let open = 0;
  let peak = 0;
  let logins = 0;
  const live = new Set<string>();
  for (const line of log.split('\n')) {
    const session = /session=<([^>]+)>/.exec(line)?.[1] ?? /imap\([^)]*\)<\d+><([^>]+)>/.exec(line)?.[1];
    if (!session) continue;
    if (/imap-login: (Info: )?Login: /.test(line) && line.includes(`user=<${USER}>`)) {
      live.add(session);
      logins++;
      peak = Math.max(peak, ++open);
    } else if (/Disconnected|Connection closed|Logged out/.test(line) && live.delete(session)) {
      open--;
    }
  }
  return { peak, logins };
}

async function deliverAll(d: Dovecot, slots: ((i: number) => ProcessSlots) | undefined, connectors = 1): Promise<void> {
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
      (_, i) => new ProcessSlots(store().db, { owner: `P${i}`, holder: `worker ${i}`, ttlMs: 5000 }),
    );
    cleanups.push(async () => processes.forEach((p) => p.close()));
    await deliverAll(d, (i) => processes[i]!);
    const seen = peakSessions(await d.log());
    console.log(JSON.stringify({ dialect: t.kind, shared: true, ...seen }));
    expect(seen.logins).toBeGreaterThanOrEqual(CAP);
    expect(seen.peak).toBeLessThanOrEqual(CAP);
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
      Array.from({ length: CAP }, (_, n) => slotLeaseName(`${d.host}:${d.port}/${USER}`, n)).sort(),
    );
  });

  it(`keeps two connectors of ${PROCESSES} processes, on one server and user, to ${CAP} connections together`, async () => {
    const d = await dovecot();
    const processes = Array.from(
      { length: PROCESSES },
      (_, i) => new ProcessSlots(store().db, { owner: `P${i}`, holder: `worker ${i}`, ttlMs: 5000 }),
    );
    cleanups.push(async () => processes.forEach((p) => p.close()));
    await deliverAll(d, (i) => processes[i]!, 2);
    const seen = peakSessions(await d.log());
    console.log(JSON.stringify({ dialect: t.kind, shared: true, connectors: 2, ...seen }));
    expect(seen.logins).toBeGreaterThanOrEqual(CAP);
    expect(seen.peak).toBeLessThanOrEqual(CAP);
  });

  it('without shared slots (the control) the same processes go past the cap together', async () => {
    const d = await dovecot();
    await deliverAll(d, undefined);
    const seen = peakSessions(await d.log());
    console.log(JSON.stringify({ dialect: t.kind, shared: false, ...seen }));
    expect(seen.peak).toBeGreaterThan(CAP);
  });
});
