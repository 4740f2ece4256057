// Values from SQLite as PostgreSQL's columns want them, the refusals that name table, row and
// column, the resume key's round trip, and the normal form both sides' digests are taken in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { decodeKey, encodeKey, normalForm, toDestination } from './values.js';

const col = (type: string) => ({ name: 'c', type, identity: false });
const key = () => '(id=7)';

describe('values for the destination', () => {
  it('keeps integers exact, bytes as bytes, text as text', () => {
    expect(toDestination(2n ** 60n, col('bigint'), 't', key)).toBe(2n ** 60n);
    expect(toDestination(5, col('bigint'), 't', key)).toBe(5n);
    expect(toDestination(Buffer.from('ab'), col('bytea'), 't', key)).toEqual(Buffer.from('ab'));
    expect(toDestination('x', col('text'), 't', key)).toBe('x');
    expect(toDestination(12n, col('text'), 't', key)).toBe('12');
    expect(toDestination(1n, col('boolean'), 't', key)).toBe(true);
    expect(toDestination(null, col('bigint'), 't', key)).toBeNull();
  });

  it('refuses a value that does not fit, naming the table, row and column', () => {
    const cases: [unknown, string][] = [
      ['12abc', 'bigint'],
      [Buffer.from('x'), 'text'],
      ['a\0b', 'text'],
      [2n, 'boolean'],
    ];
    for (const [v, type] of cases) {
      let err: unknown;
      try {
        toDestination(v, col(type), 'items', key);
      } catch (e) {
        err = e;
      }
      expect(isArchiverError(err, 'WXA_MIGRATE_VALUE')).toBe(true);
      expect((err as Error).message).toContain('table items, row (id=7), column c');
    }
  });

  it('a resume key survives its record unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.bigInt(),
            fc.string(),
            fc.integer(),
            fc.uint8Array().map((a) => Buffer.from(a)),
          ),
        ),
        (values) => {
          expect(decodeKey(encodeKey(values))).toEqual(values);
        },
      ),
    );
  });

  it('a value has one normal form whichever side it was read from', () => {
    expect(normalForm(5n)).toBe(normalForm(5));
    expect(normalForm(Buffer.from('ab'))).toBe(normalForm(new Uint8Array([0x61, 0x62])));
    expect(normalForm('5')).not.toBe(normalForm(5));
    expect(normalForm(null)).toBeNull();
  });
});
