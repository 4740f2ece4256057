// The ingest log's hot path (one pass over a batch, 64 rows per INSERT) writes exactly the rows
// the generic path writes, each hash recomputable by `ingestHash` (what verify and an auditor
// use), across batch sizes that end inside and on a 64-row statement; and a rolled-back
// transaction leaves neither rows nor a moved head. The event builders' own detail text is the
// canonical JSON of their detail, and their events chain as the generic path would chain them.
// The rows' digests are the SHA-256 of the fields' encoding as written out here (what the
// evidence package's README tells an auditor), for every kind of text; an item's digest of
// version 2 covers the model through its SHA-256 and still changes with any field.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelSha256 } from '../core/sha256.js';
import {
  appendIngest,
  appendIngestOn,
  DIGESTED_FIELDS,
  entryDigest,
  entryEvent,
  hexOf,
  itemDigest,
  itemDigestVersionOf,
  itemEvent,
  rawDigest,
  rawEvent,
  ingestHash,
  ingestHead,
  openStore,
  transact,
  type IngestEventInput,
  type ItemDigestFields,
  type Store,
} from './index.js';
import { canonicalJson, CHAIN_GENESIS } from './hash-chain.js';

let dir: string;
const stores: Store[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-ingest-log-'));
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(name: string): Promise<Store> {
  const s = await openStore(join(dir, name));
  stores.push(s);
  return s;
}

/** Events of every shape the log holds: refs with newlines and quotes, CJK text, details of each kind. */
function events(n: number, from: number): IngestEventInput[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const e: IngestEventInput = {
      kind: (['raw', 'item', 'entry', 'tombstone'] as const)[i % 4]!,
      connectorId: i % 5 === 0 ? 'c"2' : 'c1',
      ref: i % 3 === 0 ? `mailbox${i}@example.com\nWeChat Archiver\nkey-${i}` : `seq-${i}-客户`,
      digest: i % 7 === 0 ? '' : i.toString(16).padStart(64, '0'),
    };
    if (i % 4 === 1) e.detail = { msgid: `m${i}`, seqKey: `s${i}\\"` };
    if (i % 6 === 2) e.detail = { reason: '保留期满', count: i, nested: { b: 1, a: [2, 'x'] } };
    if (i % 11 === 0) e.detail = { 10: 'numeric key', 2: 'another' };
    return e;
  });
}

const BATCHES = [1, 63, 64, 65, 130, 7];

/** The stored rows, digest and hash as the hex their hashes cover. */
async function rows(s: Store) {
  const got = await s.db.selectFrom('ingest_log').selectAll().orderBy('id').execute();
  return got.map((r) => ({ ...r, digest: hexOf(r.digest), hash: hexOf(r.hash) }));
}

describe('ingest log hot path', () => {
  it('writes the rows the generic path writes, every hash recomputable and linked', async () => {
    const fast = await open('fast');
    const generic = await open('generic');
    let from = 0;
    for (const [b, size] of BATCHES.entries()) {
      const batch = events(size, from);
      from += size;
      const now = 1_700_000_000_000 + b;
      await transact(fast.db, async () => appendIngestOn(fast.db, batch, now));
      await transact(generic.db, async (tx) => appendIngest(tx, batch, now));
    }
    const got = await rows(fast);
    expect(got).toHaveLength(from);
    expect(got).toEqual(await rows(generic));
    let prev = CHAIN_GENESIS;
    for (const [i, r] of got.entries()) {
      expect(r.id).toBe(i + 1);
      expect(r.hash).toBe(ingestHash(prev, r));
      prev = r.hash;
    }
    expect(await ingestHead(fast.db)).toEqual({ lastId: from, hash: prev, events: from });
  });

  it('continues a chain the generic path started, and a rollback leaves it as it was', async () => {
    const s = await open('mixed');
    await transact(s.db, async (tx) => appendIngest(tx, events(3, 0), 1));
    await transact(s.db, async () => appendIngestOn(s.db, events(70, 3), 2));
    const before = await ingestHead(s.db);
    await expect(
      transact(s.db, async () => {
        appendIngestOn(s.db, events(100, 73), 3);
        throw new Error('the batch failed after its events were appended');
      }),
    ).rejects.toThrow('the batch failed');
    expect(await ingestHead(s.db)).toEqual(before);
    await transact(s.db, async () => appendIngestOn(s.db, events(2, 73), 4));
    const got = await rows(s);
    expect(got).toHaveLength(75);
    for (const [i, r] of got.entries()) {
      expect(r.hash).toBe(ingestHash(i === 0 ? CHAIN_GENESIS : got[i - 1]!.hash, r));
    }
  });
});

describe('ingest event builders', () => {
  const awkward = ['plain', 'quote " and \\ backslash', '客户\n换行', '\u0001 control', '😀 astral'];

  function built(i: number, text: string): IngestEventInput[] {
    const raw = {
      connector_id: i % 2 ? 'c1' : 'c"2',
      seq_key: `seq-${i}`,
      msgid: text,
      publickey_ver: 1,
      record_sha256: 'ab'.repeat(32),
      captured_at: 1_700_000_000_000 + i,
    };
    const item = {
      key: `key-${i}-${text}`,
      connector_id: raw.connector_id,
      raw_id: i,
      msgid: text,
      seq_key: `${text}-${i}`,
      msgtype: 'text',
      action: 'send',
      conversation_id: 'conv',
      room_id: '',
      from_id: 'from',
      msg_time: 1_700_000_000_000,
      model_version: 1,
      model_json: JSON.stringify({ text }),
      mime_sha256: 'cd'.repeat(32),
      mime_size: 10,
      flags: '',
      created_at: 1_700_000_000_000,
    };
    const entry = {
      mailbox: `${text}@example.com`,
      folder: 'WeChat Archiver',
      item_key: item.key,
      mime_sha256: item.mime_sha256,
      msg_time: item.msg_time,
      delivered_at: 1_700_000_000_001,
      run_id: null,
    };
    return [
      rawEvent(raw),
      itemEvent({ row: item, modelSha256: modelSha256(item.model_json) }),
      entryEvent(raw.connector_id, entry),
    ];
  }

  it('write the canonical JSON of their detail, and chain as the generic path does', async () => {
    const batch = awkward.flatMap((t, i) => built(i, t));
    for (const e of batch) expect(e.detailJson ?? '{}').toBe(canonicalJson(e.detail ?? {}));
    const fast = await open('built-fast');
    const generic = await open('built-generic');
    await transact(fast.db, async () => appendIngestOn(fast.db, batch, 5));
    // The generic path given the details alone, encoding them itself.
    const bare = batch.map(({ detailJson: _, ...e }) => e);
    await transact(generic.db, async (tx) => appendIngest(tx, bare, 5));
    const got = await rows(fast);
    expect(got).toEqual(await rows(generic));
    let prev = CHAIN_GENESIS;
    for (const r of got) {
      expect(r.hash).toBe(ingestHash(prev, r));
      prev = r.hash;
    }
  });
});

/** The fields' encoding as the evidence README writes it out, by hand: `<UTF-8 byte length>:<tag><value>`. */
function byHand(fields: (string | number | null)[]): string {
  const text = fields
    .map((f) => (f === null ? 'z' : typeof f === 'number' ? `n${f}` : `s${f}`))
    .map((v) => `${Buffer.from(v, 'utf8').length}:${v}`)
    .join('');
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

const ITEM_FIELDS = DIGESTED_FIELDS.item.fields;

function itemRow(text: string): ItemDigestFields {
  return {
    key: `key-${text}`,
    connector_id: 'c1',
    raw_id: 7,
    msgid: `m-${text}`,
    seq_key: '00000000000000000007',
    msgtype: 'text',
    action: 'send',
    conversation_id: `conv-${text}`,
    room_id: '',
    from_id: `from-${text}`,
    msg_time: 1_700_000_000_000,
    model_version: 1,
    model_json: JSON.stringify({ text, long: 'x'.repeat(5000) }),
    mime_sha256: 'cd'.repeat(32),
    mime_size: 1234,
    flags: 'external',
    created_at: 1_700_000_000_001,
  };
}

describe('row digests', () => {
  const texts = [
    'plain',
    '',
    'quote " and \\ backslash',
    '客户\n换行',
    '\u0001 control',
    '😀 astral',
    'é',
    '\u007f\u0080',
  ];

  it('hash the fields written as <UTF-8 byte length>:<tag><value>, for ASCII and other text alike', () => {
    for (const t of texts) {
      const raw = {
        connector_id: `c-${t}`,
        seq_key: t,
        msgid: `${t}${t}`,
        publickey_ver: 3,
        record_sha256: 'ab'.repeat(32),
        captured_at: 1_700_000_000_000,
      };
      expect(rawDigest(raw)).toBe(
        byHand([raw.connector_id, raw.seq_key, raw.msgid, raw.publickey_ver, raw.record_sha256, raw.captured_at]),
      );
      const entry = {
        mailbox: `${t}@example.com`,
        folder: 'WeChat Archiver',
        item_key: t,
        mime_sha256: 'cd'.repeat(32),
        msg_time: -1,
        delivered_at: 2.5,
        run_id: null,
      };
      expect(entryDigest(entry)).toBe(
        byHand([
          entry.mailbox,
          entry.folder,
          entry.item_key,
          entry.mime_sha256,
          entry.msg_time,
          entry.delivered_at,
          null,
        ]),
      );
      const item = itemRow(t);
      const fields = ITEM_FIELDS.map((f) => item[f]);
      expect(itemDigest(item, 1)).toBe(byHand(fields));
      const v2 = fields.map((f, k) => (ITEM_FIELDS[k] === 'model_json' ? modelSha256(item.model_json) : f));
      expect(itemDigest(item, 2)).toBe(byHand(v2));
    }
    // One documented example, fixed: `3:sab3:n121:z` for ["ab", 12, null] (the entry fields' shape).
    expect(
      entryDigest({
        mailbox: 'ab',
        folder: 'c',
        item_key: 'd',
        mime_sha256: 'e',
        msg_time: 12,
        delivered_at: 0,
        run_id: null,
      }),
    ).toBe(createHash('sha256').update('3:sab2:sc2:sd2:se3:n122:n01:z').digest('hex'));
  });

  it("version 2 of an item's digest covers the model through its SHA-256, and differs from version 1", () => {
    const item = itemRow('客户');
    expect(modelSha256(item.model_json)).toBe(createHash('sha256').update(item.model_json, 'utf8').digest('hex'));
    const v1 = itemDigest(item, 1);
    const v2 = itemDigest(item, 2);
    expect(v2).not.toBe(v1);
    // The model hash carried from the prepare thread gives the digest computed from the row.
    expect(itemDigest(item, 2, modelSha256(item.model_json))).toBe(v2);
    const event = itemEvent({ row: item, modelSha256: modelSha256(item.model_json) });
    expect(event.digest).toBe(v2);
    expect(event.detail).toEqual({ digestVersion: 2, msgid: item.msgid, seqKey: item.seq_key });
    expect(itemDigestVersionOf(event.detail!)).toBe(2);
    expect(itemDigestVersionOf({ msgid: 'm', seqKey: 's' })).toBe(1);
    expect(itemDigestVersionOf({ digestVersion: 3 })).toBeUndefined();
    expect(itemDigestVersionOf({ digestVersion: '2' })).toBeUndefined();
  });

  it("changes with any field of the item, the model's least character included, in both versions", () => {
    const item = itemRow('x');
    const seen = new Set([itemDigest(item, 1), itemDigest(item, 2)]);
    for (const f of ITEM_FIELDS) {
      const v = item[f];
      const changed = { ...item, [f]: typeof v === 'number' ? v + 1 : `${v}!` };
      for (const version of [1, 2] as const) {
        const d = itemDigest(changed, version);
        expect(d, `${f}, version ${version}`).not.toBe(itemDigest(item, version));
        seen.add(d);
      }
    }
    // One character of the 5 kB model changed, in place.
    const model = item.model_json.replace('"x"', '"y"');
    expect(model).not.toBe(item.model_json);
    expect(itemDigest({ ...item, model_json: model }, 2)).not.toBe(itemDigest(item, 2));
    expect(itemDigest({ ...item, model_json: model }, 1)).not.toBe(itemDigest(item, 1));
    // A field's text moved into its neighbour is another digest too (the lengths keep them apart).
    const shifted = { ...item, msgtype: 'tex', action: 'tsend' };
    expect(itemDigest(shifted, 2)).not.toBe(itemDigest(item, 2));
    expect(seen.size).toBe(2 + ITEM_FIELDS.length * 2);
  });
});
