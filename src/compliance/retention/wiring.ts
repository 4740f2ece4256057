/**
 * Disposition bound to the archive's real holds and its one deletion function: what the CLI,
 * the console and the serve schedule run. Kept apart from disposition.ts so that the run's
 * logic names its needs (DispositionDeps) instead of reaching into the store's internals.
 */
import { deleteEntries } from '../../store/deletion.js';
import { heldEntries, holdEntryKey } from '../../store/holds.js';
import type { Store } from '../../store/index.js';
import { runDisposition, type DispositionDeps, type DispositionReport } from './disposition.js';

export function dispositionDeps(store: Store, now: number): DispositionDeps {
  return {
    held: (entries) => heldEntries(store.db, entries),
    heldKey: (e) => holdEntryKey(e.itemKey, e.mailbox),
    deleteEntries: async (entries, cause) => {
      const r = await deleteEntries(
        store.db,
        entries,
        { ...cause, actor: `retention:${cause.policyId}` },
        {
          now,
          blobs: store.blobs.objects,
        },
      );
      return { deleted: r.deleted.length, held: r.refused.length };
    },
  };
}

export async function runDispositionOn(
  store: Store,
  opts: { now: number; dryRun: boolean; pageSize?: number },
): Promise<DispositionReport> {
  return runDisposition(store.db, dispositionDeps(store, opts.now), opts);
}
