/**
 * Media fetch: downloads an attachment chunk by chunk through the source client (at most
 * 512 KB per GetMediaData call), checks the MD5 the message announced (one re-download on a
 * mismatch, then keep the bytes and record the mismatch) and hands the bytes to the blob store.
 */
import { createHash } from 'node:crypto';
import type { AttachmentRef } from '../core/model.js';
import { SdkError, type FinanceClient } from '../sources/wecom/client.js';
import type { BlobStore, MediaWrite, PreparedBlob } from '../store/index.js';

export interface FetchedMedia {
  write: MediaWrite;
  blob?: PreparedBlob;
  bytes?: Buffer;
}

/** Guards against a source that never says "finished". */
const MAX_CHUNKS = 4096;

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

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

export async function fetchAttachment(
  client: FinanceClient,
  blobs: BlobStore,
  ref: AttachmentRef,
): Promise<FetchedMedia> {
  const base = { sdkfileid: ref.sdkfileid, ...(ref.md5 ? { md5Expected: ref.md5 } : {}) };
  let bytes: Buffer;
  try {
    bytes = await downloadMedia(client, ref.sdkfileid);
    if (ref.md5 && md5(bytes) !== ref.md5.toLowerCase()) bytes = await downloadMedia(client, ref.sdkfileid);
  } catch (err) {
    if (err instanceof SdkError && (err.sdkCode === 10010 || err.sdkCode === 10005)) {
      const status = err.sdkCode === 10010 ? 'expired' : 'missing';
      return { write: { ...base, status, errorCode: `SDK_${err.sdkCode}` } };
    }
    throw err;
  }
  const ok = !ref.md5 || md5(bytes) === ref.md5.toLowerCase();
  const blob = await blobs.prepare(bytes, 'media');
  return {
    write: { ...base, status: ok ? 'ok' : 'md5-mismatch', sha256: blob.sha256, size: bytes.length },
    blob,
    bytes,
  };
}
