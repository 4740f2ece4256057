/**
 * Media fetch: downloads an attachment chunk by chunk through the source client (at most
 * 512 KB per GetMediaData call). A file that fits in one chunk stays in memory; a larger one is
 * streamed to the blob store piece by piece, the index buffer of a recent good chunk recorded
 * as it goes (and of the last one when a chunk fails), so a failure or a crash resumes there
 * instead of starting over, and memory stays at one chunk whatever the size. The MD5 the message announced is checked: one
 * re-download on a mismatch, then the bytes are kept and the mismatch recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AttachmentRef } from '../../core/model.js';
import { SDK_ERRORS, SdkError, type FinanceClient } from './client.js';
import { clearMediaProgress, getMediaProgress, saveMediaProgress, type PartialFile } from '../../store/index.js';
import type { FetchedMedia, MediaContext as SourceMediaContext } from '../types.js';

/** Guards against a source that never says "finished" (4096 x 512 KB = 2 GB). */
const MAX_CHUNKS = 4096;
/** Attempts at one chunk before the download is left for the next run (which resumes there). */
const CHUNK_ATTEMPTS = 4;

export interface MediaContext extends SourceMediaContext {
  client: FinanceClient;
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function chunkWithRetry(ctx: MediaContext, sdkfileid: string, indexbuf: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.client.getMediaData(sdkfileid, indexbuf);
    } catch (err) {
      const retry = err instanceof SdkError ? (SDK_ERRORS[err.sdkCode]?.retry ?? false) : true;
      if (!retry || attempt >= CHUNK_ATTEMPTS) throw err;
      const wait = Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random());
      await (ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(wait);
    }
  }
}

type Downloaded = { bytes: Buffer; md5: string } | { file: { sha256: string; size: number; md5: string } };

/** Downloads one file, resuming a download a previous run or process left unfinished. */
async function download(ctx: MediaContext, sdkfileid: string, fresh: boolean): Promise<Downloaded> {
  const { store, connectorId } = ctx;
  // Unique per process and download: a name derived only from the file would be shared by two
  // processes fetching it at once. A resumed download finds its name in the recorded progress.
  const id = createHash('sha256').update(`${connectorId}\0${sdkfileid}`).digest('hex').slice(0, 32);
  const tempName = `media-${id}-${process.pid}-${randomBytes(6).toString('hex')}.part`;
  let progress = fresh ? undefined : await getMediaProgress(store.db, connectorId, sdkfileid);
  let indexbuf = progress?.indexbuf ?? '';
  if (!progress) {
    const first = await chunkWithRetry(ctx, sdkfileid, '');
    if (first.isFinish) return { bytes: first.data, md5: md5(first.data) };
    const part = await store.blobs.openPartial(tempName, 0);
    // Whatever ends the download (a chunk that keeps failing, a full disk), its file is closed
    // here and kept for the next attempt: left open, each failed download held a descriptor
    // until garbage collection closed it (with Node's warning, which a later Node makes an error).
    try {
      await part.append(first.data);
      indexbuf = first.outIndexBuf;
      progress = { tempName, indexbuf, bytes: part.bytes };
      await saveMediaProgress(store.db, connectorId, sdkfileid, progress, ctx.now());
      return await finishStream(ctx, sdkfileid, part, indexbuf);
    } finally {
      await part.close();
    }
  }
  const part = await store.blobs.openPartial(progress.tempName, progress.bytes);
  try {
    if (part.bytes !== progress.bytes) {
      // The partial file is shorter than recorded (lost with its disk): start over.
      await clearMediaProgress(store.db, connectorId, sdkfileid);
      await part.discard();
      return await download(ctx, sdkfileid, true);
    }
    return await finishStream(ctx, sdkfileid, part, indexbuf);
  } finally {
    await part.close();
  }
}

/**
 * Where a download stands is recorded every PROGRESS_EVERY chunks and when a chunk fails: a
 * record per chunk cost a database commit per 512 KB, and a crash between records only makes
 * the next run fetch those few chunks again.
 */
const PROGRESS_EVERY = 8;

async function finishStream(
  ctx: MediaContext,
  sdkfileid: string,
  part: PartialFile,
  indexbuf: string,
): Promise<Downloaded> {
  const save = () =>
    saveMediaProgress(
      ctx.store.db,
      ctx.connectorId,
      sdkfileid,
      { tempName: part.name, indexbuf, bytes: part.bytes },
      ctx.now(),
    );
  let unsaved = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    let chunk;
    try {
      chunk = await chunkWithRetry(ctx, sdkfileid, indexbuf);
    } catch (err) {
      if (unsaved > 0) await save();
      throw err;
    }
    await part.append(chunk.data);
    if (chunk.isFinish) {
      const file = await part.complete();
      await clearMediaProgress(ctx.store.db, ctx.connectorId, sdkfileid);
      return { file };
    }
    indexbuf = chunk.outIndexBuf;
    if (++unsaved >= PROGRESS_EVERY) {
      await save();
      unsaved = 0;
    }
  }
  throw new SdkError(10002, `media ${sdkfileid} did not finish after ${MAX_CHUNKS} chunks`);
}

/** Downloads a whole file into memory: for checks and tests on small files, not the pipeline. */
export async function downloadMedia(client: FinanceClient, sdkfileid: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let indexbuf = '';
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const chunk = await client.getMediaData(sdkfileid, indexbuf);
    parts.push(chunk.data);
    if (chunk.isFinish) return Buffer.concat(parts);
    indexbuf = chunk.outIndexBuf;
  }
  throw new SdkError(10002, `media ${sdkfileid} did not finish after ${MAX_CHUNKS} chunks`);
}

export async function fetchAttachment(ctx: MediaContext, ref: AttachmentRef): Promise<FetchedMedia> {
  const base = { sdkfileid: ref.sdkfileid, ...(ref.md5 ? { md5Expected: ref.md5 } : {}) };
  const expected = ref.md5?.toLowerCase();
  let got: Downloaded;
  try {
    got = await download(ctx, ref.sdkfileid, false);
    const gotMd5 = 'bytes' in got ? got.md5 : got.file.md5;
    if (expected && gotMd5 !== expected) got = await download(ctx, ref.sdkfileid, true);
  } catch (err) {
    if (err instanceof SdkError && (err.sdkCode === 10010 || err.sdkCode === 10005)) {
      const status = err.sdkCode === 10010 ? 'expired' : 'missing';
      await clearMediaProgress(ctx.store.db, ctx.connectorId, ref.sdkfileid);
      return { write: { ...base, status, errorCode: `SDK_${err.sdkCode}` } };
    }
    throw err;
  }
  const gotMd5 = 'bytes' in got ? got.md5 : got.file.md5;
  const status = !expected || gotMd5 === expected ? 'ok' : 'md5-mismatch';
  if ('bytes' in got) {
    const blob = await ctx.store.blobs.prepare(got.bytes, 'media');
    return {
      write: { ...base, status, sha256: blob.sha256, size: got.bytes.length },
      blob,
      bytes: got.bytes,
      size: got.bytes.length,
    };
  }
  const blob = ctx.store.blobs.preparedFile({ sha256: got.file.sha256, size: got.file.size }, 'media');
  return { write: { ...base, status, sha256: blob.sha256, size: blob.size }, blob, size: blob.size };
}
