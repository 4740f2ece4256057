/**
 * What the export benchmarks share: the selection they export (a case whose one review set holds
 * the given items, made in the seeded archive; the cheapest selection to resolve, so the
 * benchmarks measure the export, not a search) and the reading of the child's memory samples.
 */
import { insertCase, type Store } from '../src/store/index.js';

export async function caseOfItems(store: Store, keys: readonly string[]): Promise<{ caseId: number; setId: number }> {
  const caseId = await insertCase(store.db, { name: 'bench', description: '', createdBy: 'bench' }, Date.now());
  const set = await store.db
    .insertInto('review_sets')
    .values({ case_id: caseId, name: 'all', created_by: 'bench', created_at: Date.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let i = 0; i < keys.length; i += 5000)
    await store.db
      .insertInto('review_set_items')
      .values(
        keys.slice(i, i + 5000).map((k) => ({ review_set_id: set.id, item_key: k, added_by: 'bench', added_at: 0 })),
      )
      .execute();
  return { caseId, setId: set.id };
}

/** One memory sample of the export child (`export-child.mjs --sample-ms N`). */
export interface MemorySample {
  phase: string;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export type PhasePeaks = Omit<MemorySample, 'phase'> & { samples: number };

/** The highest of each memory figure the child sampled in each phase of its export. */
export function byPhase(samples: readonly MemorySample[]): Record<string, PhasePeaks> {
  const out: Record<string, PhasePeaks> = {};
  for (const s of samples) {
    const p = (out[s.phase] ??= { samples: 0, rssMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 });
    p.samples++;
    p.rssMb = Math.max(p.rssMb, s.rssMb);
    p.heapUsedMb = Math.max(p.heapUsedMb, s.heapUsedMb);
    p.heapTotalMb = Math.max(p.heapTotalMb, s.heapTotalMb);
    p.externalMb = Math.max(p.externalMb, s.externalMb);
  }
  return out;
}
