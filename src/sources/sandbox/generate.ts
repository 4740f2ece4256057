/**
 * Generates a sandbox WeCom tenant: a seeded, simulated corp whose archive records are
 * encrypted exactly as the real service encrypts them, so the whole pipeline runs without
 * Tencent's servers (demo, tests, benchmarks). SandboxClient serves the result.
 *
 * Dataset directory:
 *   tenant.json          corpId, corpName, `directory` (DirectorySnapshot: employees, external
 *                        contacts `wm`/`wo`, robots `wb`, internal and customer groups), `keyVersions`
 *                        (file, PEM format, withheld, record count), `counts` (records, generated,
 *                        included, byType, mediaIds, unresolvedMedia), `first`/`last` {seq, time},
 *                        `faults` [{seq, msgid, kind, recoverable}], `seed`, `appendedBatches`.
 *                        Written last: its presence marks a complete dataset.
 *   keys/v1.pem          RSA-2048 private key, PKCS#8 (publickey_ver 1: the first half of the records)
 *   keys/v2.pem          RSA-2048 private key, PKCS#1 (publickey_ver 2: the rest, and every append)
 *   keys-withheld/v3.pem the key of `faults.missingKeyVersion` records; add it to a key ring to recover them
 *   chatdata.jsonl       one GetChatData entry a line: {seq, msgid, publickey_ver, encrypt_random_key,
 *                        encrypt_chat_msg}; seq a decimal string, 1, 2, 3, ...
 *   media/<sha256>.<ext> media bytes, content-named (several sdkfileids may share one file)
 *   media/index.json     {sdkfileid: {file, size, md5}}
 *
 * Record encryption: a random 32-character key string, RSA PKCS#1 v1.5 under the version's public
 * key, base64 -> encrypt_random_key; the decrypted message JSON under the sandbox's DecryptData
 * (AES-256-GCM, see encrypt.ts) -> encrypt_chat_msg.
 *
 * Determinism: the same seed, message count, include file and faults give the same decrypted
 * stream (msgids, contents, times, sdkfileids, media bytes). Keys are fresh random keys unless
 * `keysDir` names existing ones, and the ciphertexts differ on every run (random key strings,
 * random PKCS#1 padding and GCM nonces), as in the real service.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import type { FaultKind } from './faults.js';
import { faultyRecord, planFaults } from './faults.js';
import type { IncludeSet } from './include.js';
import { copyIncludedMedia, readInclude } from './include.js';
import type { TenantKey } from './keys.js';
import { KEYS_DIR, WITHHELD_DIR, WITHHELD_VERSION, prepareKeys, writeKeys } from './keys.js';
import type { MediaIndexEntry } from './media.js';
import { buildMediaPool, ensureMediaPool, indexAllocator, writeMediaIndex } from './media.js';
import { CYCLE, MessageStream, meanGapFor, startTimeFor } from './messages.js';
import { buildDirectory } from './people.js';
import { Prng } from './prng.js';
import { RecordWriter, encryptRecord, plaintextOf } from './records.js';
import { Tally } from './tally.js';
import type { KeyVersionInfo, TenantInfo, TenantSummary } from './tenant.js';
import { CHATDATA_FILE, FORMAT, MEDIA_DIR, summaryOf, writeTenant } from './tenant.js';

export interface GenerateOptions {
  outDir: string;
  seed: number;
  /** generated messages (0 when only `include` is wanted) */
  messages: number;
  /** decrypted WeCom messages, one JSON object a line, appended after the generated ones */
  include?: string;
  /** directory with manifest.json (sdkfileid -> file name) for the included messages' media */
  mediaDir?: string;
  /** reuse v1.pem, v2.pem (and v3.pem, or ../keys-withheld/v3.pem) instead of generating keys */
  keysDir?: string;
  faults?: { missingKeyVersion?: number; malformed?: number };
}

function checkOptions(opts: GenerateOptions): void {
  const bad = (what: string): never => {
    throw new ArchiverError('WXA_CONFIG_INVALID', `sandbox generation: ${what}`);
  };
  if (!Number.isSafeInteger(opts.seed)) bad(`seed ${opts.seed} must be an integer`);
  if (!Number.isSafeInteger(opts.messages) || opts.messages < 0)
    bad(`messages ${opts.messages} must be an integer >= 0`);
  for (const [name, n] of Object.entries(opts.faults ?? {})) {
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 0))
      bad(`faults.${name} ${String(n)} must be an integer >= 0`);
  }
  if (opts.mediaDir && !opts.include) bad('a media directory is only used with an include file');
}

async function assertFresh(outDir: string): Promise<void> {
  try {
    await stat(join(outDir, CHATDATA_FILE));
  } catch {
    return;
  }
  throw new ArchiverError(
    'WXA_CONFIG_INVALID',
    `${outDir} already holds a sandbox tenant; choose an empty directory or append to it instead`,
  );
}

function keyVersionsOf(keys: Map<number, TenantKey>, tally: Tally): KeyVersionInfo[] {
  return [...keys.values()]
    .sort((a, b) => a.version - b.version)
    .map((k) => {
      const withheld = k.version === WITHHELD_VERSION;
      const file = `${withheld ? WITHHELD_DIR : KEYS_DIR}/v${k.version}.pem`;
      return { version: k.version, file, format: k.format, withheld, records: tally.perVersion.get(k.version) ?? 0 };
    });
}

/** Write a dataset directory for `opts` and say what it holds. */
export async function generateTenant(opts: GenerateOptions): Promise<TenantSummary> {
  checkOptions(opts);
  const { outDir, seed, messages } = opts;
  await assertFresh(outDir);
  const faults = opts.faults ?? {};
  const plan = planFaults(seed, messages, CYCLE.length, faults.missingKeyVersion ?? 0, faults.malformed ?? 0);
  // read and check the include file first: a bad line must leave nothing half-written
  const included: IncludeSet = opts.include
    ? await readInclude(opts.include, opts.mediaDir)
    : { messages: [], media: new Map(), unresolved: [] };
  const keys = await prepareKeys(opts.keysDir);
  const key = (v: number): TenantKey => keys.get(v) as TenantKey;
  const mediaDir = join(outDir, MEDIA_DIR);
  await mkdir(mediaDir, { recursive: true });
  await writeKeys(outDir, keys);

  const pool = buildMediaPool(seed);
  await ensureMediaPool(mediaDir, pool);
  const index = new Map<string, MediaIndexEntry>();
  await copyIncludedMedia(included, mediaDir, index);
  const allocator = indexAllocator(Prng.from(seed, 'sdkfileid'), pool, index);
  const directory = buildDirectory(seed);

  const total = messages + included.messages.length;
  const half = Math.ceil(total / 2);
  const tally = new Tally();
  const stream = new MessageStream({
    seed,
    directory,
    media: allocator,
    after: startTimeFor(seed),
    meanGapMs: meanGapFor(messages),
    label: 'initial',
    cycle: true,
  });

  const tmp = join(outDir, `${CHATDATA_FILE}.tmp`);
  // chatdata.jsonl appears only by the rename below, so media/index.json is written once, at the end
  const writer = await RecordWriter.open(tmp, 'w', async () => {});
  try {
    for (let i = 0; i < total; i++) {
      const fault: FaultKind | undefined = plan.get(i);
      const item =
        i < messages ? stream.next(fault === 'body-dirty' ? 'text' : undefined) : included.messages[i - messages];
      if (!item) break;
      const seq = BigInt(i + 1);
      const ver = fault === 'missing-key' ? WITHHELD_VERSION : i < half ? 1 : 2;
      const plaintext = plaintextOf(item.msg);
      const msgid = item.msg.msgid as string;
      const record =
        fault && fault !== 'missing-key'
          ? faultyRecord(fault, seq, msgid, plaintext, key(ver))
          : encryptRecord(seq, msgid, ver, key(ver).publicKey, plaintext);
      tally.add(record, item.msg, item.type, i < messages ? 'generated' : 'included', fault);
      await writer.add(record);
    }
  } finally {
    await writer.close();
  }
  await writeMediaIndex(mediaDir, index);
  await rename(tmp, join(outDir, CHATDATA_FILE));

  const info: TenantInfo = {
    format: FORMAT,
    seed,
    corpId: directory.corpId,
    corpName: directory.corpName,
    keyVersions: keyVersionsOf(keys, tally),
    counts: {
      records: tally.records,
      generated: tally.generated,
      included: tally.included,
      byType: tally.byType,
      mediaIds: index.size,
      unresolvedMedia: included.unresolved.length,
    },
    first: tally.first,
    last: tally.last,
    faults: tally.faults,
    appendedBatches: 0,
    directory,
  };
  await writeTenant(outDir, info);
  return summaryOf(info);
}
