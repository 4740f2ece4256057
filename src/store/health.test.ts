import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { commitCapture, finishRun, sourceHealth, startRun } from './index.js';

const H = 3600_000;
const NOW = 1_800_000_000_000;

describeDialects('sourceHealth', (t) => {
  const store = storeEachTest(t, 'health');

  async function succeededAt(at: number): Promise<void> {
    const id = await startRun(store().db, 'c', at - 1000);
    await finishRun(store().db, id, 'succeeded', {}, at);
  }

  it('is ok within a day, warns after 24 h and raises the alarm at 72 h', async () => {
    await succeededAt(NOW - 2 * H);
    expect((await sourceHealth(store().db, 'c', NOW)).level).toBe('ok');
    expect((await sourceHealth(store().db, 'c', NOW + 23 * H)).level).toBe('warning');
    const alarm = await sourceHealth(store().db, 'c', NOW + 71 * H);
    expect(alarm.level).toBe('alarm');
    expect(alarm.reasons[0]).toContain('the source deletes data after 120 h');
  });

  it('counts records left unprocessed and how far capture is behind the source head', async () => {
    await succeededAt(NOW);
    await commitCapture(store().db, 'c', [{ seq: '41', msgid: 'a', publickey_ver: 1, json: '{}' }], '41', NOW - 30 * H);
    const h = await sourceHealth(store().db, 'c', NOW, '100');
    expect(h.level).toBe('warning');
    expect(h.oldestUnprocessedAgeMs).toBe(30 * H);
    expect(h.newestSeq).toBe('41');
    expect(h.seqBehind).toBe('59');
  });

  it('counts held records against the window: a warning while one waits, the alarm near the retention', async () => {
    await succeededAt(NOW);
    await commitCapture(store().db, 'c', [{ seq: '7', msgid: 'h', publickey_ver: 1, json: '{}' }], '7', NOW - H);
    await store().db.updateTable('raw_records').set({ status: 'held', hold_reason: 'unmapped' }).execute();
    const fresh = await sourceHealth(store().db, 'c', NOW);
    expect(fresh).toMatchObject({ level: 'warning', held: 1, oldestHeldAgeMs: H });
    expect(fresh.reasons.join('; ')).toContain('1 record(s) held, in no mailbox yet');
    const old = await sourceHealth(store().db, 'c', NOW + 80 * H);
    expect(old.level).toBe('alarm');
    expect(old.reasons.join('; ')).toContain('fix the holds now');
    // A conflicting duplicate waits for a person with both versions stored: not lag.
    await store().db.updateTable('raw_records').set({ hold_reason: 'conflicting-duplicate' }).execute();
    expect(await sourceHealth(store().db, 'c', NOW)).toMatchObject({ level: 'ok', held: 0, oldestHeldAgeMs: null });
  });

  it('lists a consent gap while the latest event of the pair is a disagree, and sees a later agree', async () => {
    let n = 0;
    const consent = async (type: 'agree' | 'disagree', t: number) => {
      n++;
      await store()
        .db.insertInto('items')
        .values({
          key: `c:${n}`,
          connector_id: 'c',
          raw_id: n,
          msgid: `m${n}`,
          seq_key: String(n).padStart(20, '0'),
          msgtype: type,
          action: 'send',
          conversation_id: 'x',
          room_id: '',
          from_id: 'wmEXT',
          msg_time: t,
          model_version: 1,
          model_json: JSON.stringify({ from: 'wmEXT', tolist: ['zhangsan'], content: { userid: 'wmEXT' } }),
          mime_sha256: 'x',
          mime_size: 1,
          flags: '',
          recalled_by: null,
          recalled_at: null,
          created_at: t,
        })
        .execute();
    };
    await consent('agree', NOW - 3 * H);
    expect((await sourceHealth(store().db, 'c', NOW)).consentGaps).toEqual([]);
    await consent('disagree', NOW - 2 * H);
    expect((await sourceHealth(store().db, 'c', NOW)).consentGaps).toEqual([
      { externalUserId: 'wmEXT', userid: 'zhangsan', since: NOW - 2 * H },
    ]);
    await consent('agree', NOW - H);
    expect((await sourceHealth(store().db, 'c', NOW)).consentGaps).toEqual([]);
  });
});
