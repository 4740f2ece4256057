/**
 * The hash chain shared by the audit log and the ingest log: each event's hash covers the
 * previous event's hash and the event's fields as canonical JSON, so changing, inserting,
 * deleting or reordering an event breaks the chain at that point. One definition, so that
 * `verify`, `audit verify` and an auditor's own script recompute exactly the same bytes.
 */
import { createHash } from 'node:crypto';

/** The `prev_hash` of a chain's first event. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so that the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

/** SHA-256 (hex) of `prevHash`, a newline, and the canonical JSON of the event's fields in a fixed order. */
export function chainHash(prevHash: string, fields: unknown[]): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(fields)}`, 'utf8')
    .digest('hex');
}
