import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { commitCapture, countByStatus, getCursor, listWork, seqKey } from './index.js';

const rec = (seq: string) => ({ seq, msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":"${seq}"}` });

describeDialects('capture', (t) => {
  const store = storeEachTest(t, 'capture');

  it('commits records and cursor together, and a failed batch leaves both untouched', async () => {
    await commitCapture(store().db, 'c', [rec('1'), rec('2')], '2', 1);
    expect(await getCursor(store().db, 'c')).toBe('2');
    // A record that violates a constraint (invalid seq) aborts the whole batch, cursor included.
    await expect(commitCapture(store().db, 'c', [rec('3'), rec('x')], '4', 2)).rejects.toThrow();
    expect(await getCursor(store().db, 'c')).toBe('2');
    expect((await countByStatus(store().db, 'c')).pending).toBe(2);
  });

  it('orders uint64 seqs beyond 2^53 correctly and ignores a record sent twice', async () => {
    const big = '18446744073709551615';
    const mid = '9007199254740993';
    await commitCapture(store().db, 'c', [rec(big), rec(mid), rec('10')], big, 1);
    const n = await commitCapture(store().db, 'c', [rec(mid)], big, 2);
    expect(n).toBe(0);
    const work = await listWork(store().db, 'c', { afterSeqKey: '', limit: 10, maxAttempts: 3 });
    expect(work.map((w) => w.seq_key)).toEqual([seqKey('10'), seqKey(mid), seqKey(big)]);
  });
});
