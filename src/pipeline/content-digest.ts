/**
 * What "the same message" means when the source sends a msgid again. The digest is SHA-256 of
 * the canonical model (keys sorted) without what describes where or how the record travelled
 * rather than what was said: `seq` (a replay has a new position by definition), `modelVersion`
 * (our parser's version) and `sdkfileid` (a download handle, while `md5sum` and size name the
 * file's content). Rejected: the raw record's hash (encrypted with a fresh random key each time,
 * so every replay would differ) and the MIME bytes (they carry the seq and depend on the mapping
 * and directory names of the moment, so a replay after a directory refresh would look changed).
 */
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../core/model.js';

const NOT_CONTENT = new Set(['seq', 'modelVersion', 'sdkfileid']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      if (NOT_CONTENT.has(k)) continue;
      out[k] = canonical((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

export function contentDigest(msg: ChatMessage | unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(msg)))
    .digest('hex');
}
