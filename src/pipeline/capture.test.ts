// Capture through the Source seam: records are committed only with the checkpoint that covers
// them, and the cursor is the source's own string, stored and handed back untouched.
// Runs on SQLite and on PostgreSQL (test/helpers/dialects.ts).
import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import type { ReadEvent, Source } from '../sources/types.js';
import { countByStatus, getCursor } from '../store/index.js';
import { captureAvailable } from './capture.js';

const record = (seq: string): ReadEvent => ({
  type: 'record',
  record: { seq, msgid: `m${seq}`, keyVersion: 1, json: JSON.stringify({ seq }) },
});
const checkpoint = (cursor: string): ReadEvent => ({ type: 'checkpoint', cursor });

/** A source that yields `events` and remembers the cursors it was asked to read after. */
function scripted(events: ReadEvent[]): { source: Source; asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  const source = {
    read: async function* (cursor: string | undefined) {
      asked.push(cursor);
      yield* events;
    },
  } as Pick<Source, 'read'> as Source;
  return { source, asked };
}

const opts = { connectorId: 'c', now: () => 1 };

describeDialects('capture through the Source seam', (t) => {
  const current = storeEachTest(t, 'capture-seam');
  const store = {
    get db() {
      return current().db;
    },
  };
  it('commits the records before each checkpoint with its cursor, and nothing after the last one', async () => {
    const { source } = scripted([
      record('1'),
      record('2'),
      checkpoint('page-a/2'),
      record('3'),
      checkpoint('page-b/3'),
      record('4'),
    ]);
    const batches: number[] = [];
    const n = await captureAvailable(store.db, source, { ...opts, onBatch: (t) => batches.push(t) });
    expect(n).toBe(3);
    expect(batches).toEqual([2, 3]);
    expect(await getCursor(store.db, 'c')).toBe('page-b/3');
    expect((await countByStatus(store.db, 'c')).pending).toBe(3);
  });

  it('hands the stored cursor back to the source as it was stored', async () => {
    await captureAvailable(store.db, scripted([record('1'), checkpoint('opaque:~1')]).source, opts);
    const next = scripted([]);
    await captureAvailable(store.db, next.source, opts);
    expect(next.asked).toEqual(['opaque:~1']);
    const first = scripted([]);
    await captureAvailable(store.db, first.source, { ...opts, connectorId: 'new' });
    expect(first.asked).toEqual([undefined]);
  });

  it('keeps what was committed when the source fails between checkpoints', async () => {
    const source = {
      read: async function* () {
        yield record('1');
        yield checkpoint('1');
        yield record('2');
        throw new Error('the source broke');
      },
    } as Pick<Source, 'read'> as Source;
    await expect(captureAvailable(store.db, source, opts)).rejects.toThrow('the source broke');
    expect(await getCursor(store.db, 'c')).toBe('1');
    expect((await countByStatus(store.db, 'c')).pending).toBe(1);
  });

  it('stops at the first checkpoint after maxRecords and ends the read', async () => {
    let finished = false;
    const source = {
      read: async function* () {
        try {
          for (let i = 1; i <= 10; i++) {
            yield record(String(i));
            yield checkpoint(String(i));
          }
        } finally {
          finished = true;
        }
      },
    } as Pick<Source, 'read'> as Source;
    expect(await captureAvailable(store.db, source, { ...opts, maxRecords: 3 })).toBe(3);
    expect(finished).toBe(true);
    expect(await getCursor(store.db, 'c')).toBe('3');
  });
});
