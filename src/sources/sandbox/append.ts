/**
 * Growing a sandbox tenant over time (the service's serve mode): more generated messages after
 * the last record, continuing seq and msgtime, under the newest key version. A SandboxClient
 * already open sees them on its next getChatData.
 */
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { loadTenantKey } from './keys.js';
import { buildMediaPool, ensureMediaPool, indexAllocator, readMediaIndex, writeMediaIndex } from './media.js';
import { MessageStream, startTimeFor } from './messages.js';
import { Prng } from './prng.js';
import { RecordWriter, encryptRecord, plaintextOf } from './records.js';
import { Tally } from './tally.js';
import type { TenantSummary } from './tenant.js';
import { CHATDATA_FILE, MEDIA_DIR, readTenant, summaryOf, writeTenant } from './tenant.js';

export interface AppendOptions {
  /** place the batch after this time (ms) when it is later than the last record, e.g. now */
  after?: number;
  /** mean gap between appended messages, ms (default 20 s) */
  meanGapMs?: number;
}

/**
 * Append `count` generated messages to the tenant in `dir`. `seed` forks the batch: the same
 * tenant, seed and count append the same messages.
 */
export async function appendMessages(
  dir: string,
  count: number,
  seed: number,
  opts: AppendOptions = {},
): Promise<TenantSummary> {
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(seed)) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `append: count ${count} and seed ${seed} must be integers, count >= 0`,
    );
  }
  const info = await readTenant(dir);
  const newest = info.keyVersions.filter((k) => !k.withheld).sort((a, b) => b.version - a.version)[0];
  if (!newest) throw new ArchiverError('WXA_CONFIG_INVALID', `${dir}: tenant.json lists no key to encrypt with`);
  const ver = newest.version;
  const key = await loadTenantKey(dir, ver, newest.file);

  const mediaDir = join(dir, MEDIA_DIR);
  const pool = buildMediaPool(info.seed);
  await ensureMediaPool(mediaDir, pool);
  const index = new Map(Object.entries(await readMediaIndex(mediaDir)));
  const lastSeq = BigInt(info.last?.seq ?? '0');
  const label = `append:${seed}:${lastSeq}`;
  const allocator = indexAllocator(Prng.from(info.seed, 'sdkfileid', label), pool, index);
  const stream = new MessageStream({
    seed: info.seed,
    directory: info.directory,
    media: allocator,
    after: Math.max(info.last?.time ?? startTimeFor(info.seed), opts.after ?? 0),
    meanGapMs: opts.meanGapMs ?? 20_000,
    label,
    cycle: false,
  });

  const tally = Tally.from(info);
  const writer = await RecordWriter.open(join(dir, CHATDATA_FILE), 'a', async () => {
    if (!allocator.dirty) return;
    await writeMediaIndex(mediaDir, index);
    allocator.dirty = false;
  });
  try {
    for (let i = 1; i <= count; i++) {
      const item = stream.next();
      const seq = lastSeq + BigInt(i);
      const record = encryptRecord(seq, item.msg.msgid as string, ver, key.publicKey, plaintextOf(item.msg));
      tally.add(record, item.msg, item.type, 'generated');
      await writer.add(record);
    }
  } finally {
    await writer.close();
  }

  const next = {
    ...info,
    keyVersions: info.keyVersions.map((k) => ({ ...k, records: tally.perVersion.get(k.version) ?? k.records })),
    counts: {
      ...info.counts,
      records: tally.records,
      generated: tally.generated,
      byType: tally.byType,
      mediaIds: index.size,
    },
    first: tally.first,
    last: tally.last,
    appendedBatches: info.appendedBatches + 1,
  };
  await writeTenant(dir, next);
  return summaryOf(next);
}
