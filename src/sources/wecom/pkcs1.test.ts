import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiverError } from '../../core/errors.js';
import { unpadPkcs1Type2 } from './pkcs1.js';

const BLOCK = 256;

/** A valid RSA-2048 type-2 block around `message`, with non-zero padding drawn by fast-check. */
const validBlock = fc
  .uint8Array({ minLength: 0, maxLength: BLOCK - 11 })
  .chain((message) =>
    fc
      .uint8Array({ minLength: BLOCK - 3 - message.length, maxLength: BLOCK - 3 - message.length, min: 1, max: 255 })
      .map((padding) => ({ message, block: Buffer.concat([Buffer.from([0, 2]), padding, Buffer.from([0]), message]) })),
  );

function rejects(block: Buffer): ArchiverError {
  try {
    unpadPkcs1Type2(block);
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    expect((err as ArchiverError).code).toBe('WXA_RSA_PADDING');
    return err as ArchiverError;
  }
  throw new Error('expected WXA_RSA_PADDING');
}

describe('unpadPkcs1Type2', () => {
  it('returns the message of any valid block', () => {
    fc.assert(
      fc.property(validBlock, ({ message, block }) => {
        expect(Buffer.from(unpadPkcs1Type2(block))).toEqual(Buffer.from(message));
      }),
    );
  });

  it('accepts exactly eight padding bytes and an empty message', () => {
    const block = Buffer.from([0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(unpadPkcs1Type2(block).length).toBe(0);
  });

  it('rejects a block whose first byte is not 00', () => {
    fc.assert(
      fc.property(validBlock, fc.integer({ min: 1, max: 255 }), ({ block }, first) => {
        const bad = Buffer.from(block);
        bad[0] = first;
        expect(rejects(bad).message).toContain('00 02');
      }),
    );
  });

  it('rejects a block whose second byte is not 02', () => {
    fc.assert(
      fc.property(
        validBlock,
        fc.integer({ min: 0, max: 255 }).filter((b) => b !== 2),
        ({ block }, second) => {
          const bad = Buffer.from(block);
          bad[1] = second;
          rejects(bad);
        },
      ),
    );
  });

  it('rejects padding shorter than eight bytes', () => {
    fc.assert(
      fc.property(validBlock, fc.integer({ min: 2, max: 9 }), ({ block }, zeroAt) => {
        const bad = Buffer.from(block);
        bad[zeroAt] = 0;
        expect(rejects(bad).message).toContain('fewer than 8');
      }),
    );
  });

  it('rejects a block without a separator', () => {
    const bad = Buffer.alloc(BLOCK, 0x5a);
    bad[0] = 0;
    bad[1] = 2;
    expect(rejects(bad).message).toContain('no 00 separator');
  });

  it('rejects blocks too short to hold the padding', () => {
    rejects(Buffer.from([0, 2, 1, 1, 1, 0]));
    rejects(Buffer.alloc(0));
  });

  it('never throws anything but ArchiverError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const out = unpadPkcs1Type2(Buffer.from(bytes));
          // Whatever it accepts has the documented shape.
          expect(bytes[0]).toBe(0);
          expect(bytes[1]).toBe(2);
          expect(out.length).toBeLessThanOrEqual(bytes.length - 11);
        } catch (err) {
          expect(err).toBeInstanceOf(ArchiverError);
        }
      }),
    );
  });
});
