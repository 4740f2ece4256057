/**
 * Values from SQLite, as the destination's column types want them, and one normal form of a
 * value on either side for the row digests that prove the copy equal. SQLite types values, not
 * columns, so a value of another type than its column is possible in an old or hand-edited
 * archive: such a row is refused with its table, key and column rather than stored changed.
 */
import { ArchiverError } from '../../core/errors.js';
import type { TableColumn } from './tables.js';

export type SqlValue = null | bigint | number | string | Buffer | boolean;

const INTEGER_TYPES = new Set(['bigint', 'integer', 'smallint']);
const FLOAT_TYPES = new Set(['double precision', 'real', 'numeric']);

function bad(table: string, key: string, col: TableColumn, why: string): ArchiverError {
  return new ArchiverError(
    'WXA_MIGRATE_VALUE',
    `table ${table}, row ${key}, column ${col.name} (${col.type}): ${why}; fix the row in the archive (or remove it), then run migrate-store again: the copy resumes`,
  );
}

/** `v` read from SQLite (integers as BigInt), converted for the destination column. */
export function toDestination(v: unknown, col: TableColumn, table: string, key: () => string): SqlValue {
  if (v === null || v === undefined) return null;
  if (INTEGER_TYPES.has(col.type)) {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    throw bad(table, key(), col, `holds ${describe(v)}, not an integer`);
  }
  if (col.type === 'boolean') {
    if (v === 0n || v === 1n || v === 0 || v === 1) return Number(v) === 1;
    throw bad(table, key(), col, `holds ${describe(v)}, not 0 or 1`);
  }
  if (FLOAT_TYPES.has(col.type)) {
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
    throw bad(table, key(), col, `holds ${describe(v)}, not a number`);
  }
  if (col.type === 'bytea') {
    if (Buffer.isBuffer(v)) return v;
    if (typeof v === 'string') return Buffer.from(v, 'utf8');
    throw bad(table, key(), col, `holds ${describe(v)}, not bytes`);
  }
  // text, and the JSON types (held as text on SQLite)
  if (typeof v === 'string') {
    if (v.includes('\0')) throw bad(table, key(), col, 'holds a NUL character, which PostgreSQL text cannot store');
    return v;
  }
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  throw bad(table, key(), col, `holds ${describe(v)}, not text`);
}

function describe(v: unknown): string {
  if (Buffer.isBuffer(v)) return `${v.length} bytes of binary data`;
  if (typeof v === 'string') return `the text "${v.length > 40 ? `${v.slice(0, 40)}...` : v}"`;
  return `the ${typeof v} ${String(v)}`;
}

/** One normal form of a value, whichever side it was read from, for the row digests. */
export function normalForm(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `i${v}` : `f${v}`;
  if (typeof v === 'boolean') return v ? 'i1' : 'i0';
  if (typeof v === 'string') return `s${v}`;
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  return `j${JSON.stringify(v)}`;
}

/** A key as stored in the progress record (JSON cannot hold a BigInt or bytes). */
export function encodeKey(values: unknown[]): string {
  return JSON.stringify(
    values.map((v) =>
      typeof v === 'bigint' ? { i: v.toString() } : Buffer.isBuffer(v) ? { b: v.toString('hex') } : v,
    ),
  );
}

export function decodeKey(text: string): unknown[] {
  return (JSON.parse(text) as unknown[]).map((v) => {
    if (v && typeof v === 'object' && 'i' in v) return BigInt((v as { i: string }).i);
    if (v && typeof v === 'object' && 'b' in v) return Buffer.from((v as { b: string }).b, 'hex');
    return v;
  });
}

/** A key for messages: `(a, b)` with its values. */
export function describeKey(key: string[], values: unknown[]): string {
  return `(${key.map((k, i) => `${k}=${String(values[i] instanceof Buffer ? '<bytes>' : values[i])}`).join(', ')})`;
}
