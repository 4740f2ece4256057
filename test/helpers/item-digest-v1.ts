/**
 * Archives whose ingest log holds item events of both digest versions, as an archive logged
 * partly before version 2 does: a test file replaces the digest module with `mixedItemDigests`
 *
 *   vi.mock('../src/store/ingest-digest.js', async (actual) =>
 *     (await import('./helpers/item-digest-v1.js')).mixedItemDigests(await actual()));
 *
 * and every item event the archiver then writes after `logVersion1Every(N)` (N > 0) is, for every
 * Nth item, the event the earlier builder wrote: its digest of version 1 (over the model JSON
 * itself) and a detail naming no version. The chain, its head and the signed checkpoints are
 * the archiver's own, made over those events.
 */
import type * as Digest from '../../src/store/ingest-digest.js';

/** Every `every`th item event is written as version 1 (0: none); `written` counts them. */
export const version1 = { every: 0, written: 0, seen: 0 };

/** From now on every `every`th item event is written as version 1 (0: none), counted afresh. */
export function logVersion1Every(every: number): void {
  Object.assign(version1, { every, written: 0, seen: 0 });
}

/** The item event as the builder wrote it before version 2. */
export function itemEventV1(d: typeof Digest, { row: i }: Digest.LoggedItem): Digest.IngestEventInput {
  return {
    kind: 'item',
    connectorId: i.connector_id,
    ref: i.key,
    digest: d.itemDigest(i, 1),
    detail: { msgid: i.msgid, seqKey: i.seq_key },
    detailJson: `{"msgid":${JSON.stringify(i.msgid)},"seqKey":${JSON.stringify(i.seq_key)}}`,
  };
}

export function mixedItemDigests(actual: typeof Digest): typeof Digest {
  return {
    ...actual,
    itemEvent: (item) => {
      const k = version1.seen++;
      if (version1.every <= 0 || k % version1.every !== 0) return actual.itemEvent(item);
      version1.written++;
      return itemEventV1(actual, item);
    },
  };
}
