// A run that finds an earlier run of its connector interrupted releases that run's delivery
// leases, so its rows are delivered at once, and leaves alone the leases another worker holds
// on the same connector's rows (they are that worker's until it finishes or its lease runs out).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ChatMessage } from '../core/model.js';
import type { Destination } from '../destinations/types.js';
import type { Source } from '../sources/types.js';
import { archiveItem, queueDelivery } from '../../test/helpers/deliveries.js';
import { leaseDue, openStore, startRun, type Store } from '../store/index.js';
import type { ConnectorRuntime } from './process.js';
import { runLeaseOwner, runOnce } from './run.js';

let dir: string;
let store: Store;
const clock = 5_000_000;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-run-leases-'));
  store = await openStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A source with nothing new: the run only delivers what the ledger has due. */
const quietSource = {
  description: 'nothing new',
  read: async function* () {},
  close: async () => undefined,
} as unknown as Source;

it("releases only the interrupted run's delivery leases, not another worker's", async () => {
  for (let i = 0; i < 4; i++) {
    const key = `wecom:corp:m${i}`;
    const model = { key, msgid: `m${i}`, from: 'a', attachments: [] } as unknown as ChatMessage;
    await archiveItem(
      store,
      { key, messageId: `<${key}>`, mime: Buffer.from(`m${i}`), time: i, model, attachments: [] },
      i,
    );
    for (const mailbox of ['a@x', 'b@x'])
      await queueDelivery(store, { destinationId: 'imap:test', itemKey: key, mailbox });
  }
  // Run 1 leased a@x's rows and was killed; a worker elsewhere is delivering b@x's rows right now.
  const dead = await startRun(store.db, 'c', clock - 1000);
  const lease = (owner: string, mailbox: string) =>
    leaseDue(store.db, { destinationId: 'imap:test', mailbox, owner, now: clock - 1000, leaseMs: 600_000, limit: 10 });
  expect(await lease(runLeaseOwner(dead), 'a@x')).toHaveLength(4);
  expect(await lease('worker-b', 'b@x')).toHaveLength(4);

  const sent: string[] = [];
  const destination: Destination = {
    kind: 'imap',
    check: async () => ({ ok: true, details: [] }),
    has: async () => false,
    deliver: async (item, mailbox) => {
      sent.push(`${mailbox} ${item.key}`);
      return { status: 'delivered' };
    },
    close: async () => undefined,
  };
  const rt = {
    id: 'c',
    source: quietSource,
    preparer: { prepare: async () => [] },
    directory: { corpId: 'corp', corpName: 'Corp', people: [], rooms: [] },
    destinations: [{ id: 'imap:test', destination, perMailbox: 1, overall: 1 }],
  } as unknown as ConnectorRuntime;
  const report = await runOnce(store, rt, { now: () => clock });

  expect(report.error, report.error).toBeUndefined();
  expect(report.interruptedRunsFound).toBe(1);
  expect(report.delivery?.delivered).toBe(4);
  expect(sent.every((s) => s.startsWith('a@x '))).toBe(true);
  const b = await store.db
    .selectFrom('deliveries')
    .select(['status', 'lease_owner'])
    .where('mailbox', '=', 'b@x')
    .execute();
  expect(b).toEqual(Array(4).fill({ status: 'pending', lease_owner: 'worker-b' }));
});
