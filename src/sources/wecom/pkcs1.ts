/**
 * PKCS#1 v1.5 type-2 (encryption) unpadding. Node 20.11.1+ refuses RSA_PKCS1_PADDING for
 * private decryption (CVE-2023-46809), so the key ring decrypts with RSA_NO_PADDING and
 * strips the padding here (RFC 8017 section 7.2.2, step 3).
 */
import { ArchiverError } from '../../core/errors.js';

/** RFC 8017: the padding string PS is at least eight octets. */
const MIN_PADDING = 8;

/**
 * Return the message inside an `00 02 PS 00 M` block, where PS is at least 8 non-zero bytes.
 * Throws ArchiverError WXA_RSA_PADDING for anything else (wrong key or corrupt record).
 *
 * Not constant-time on purpose: we decrypt stored records and answer nobody with the result,
 * so there is no Bleichenbacher oracle to close, and this runs at the pipeline's ceiling rate.
 */
export function unpadPkcs1Type2(block: Buffer): Buffer {
  if (block.length < MIN_PADDING + 3) {
    throw paddingError(
      `the block is ${block.length} bytes, shorter than the ${MIN_PADDING + 3} bytes of padding alone`,
    );
  }
  if (block[0] !== 0x00 || block[1] !== 0x02) {
    throw paddingError('the block does not start with 00 02');
  }
  const separator = block.indexOf(0x00, 2);
  if (separator < 0) throw paddingError('the block has no 00 separator after the padding');
  if (separator - 2 < MIN_PADDING) {
    throw paddingError(`the padding is ${separator - 2} bytes, fewer than ${MIN_PADDING}`);
  }
  return block.subarray(separator + 1);
}

function paddingError(why: string): ArchiverError {
  return new ArchiverError(
    'WXA_RSA_PADDING',
    `RSA block is not PKCS#1 v1.5 type 2: ${why}; the private key probably does not match the record's publickey_ver, or the record is corrupt`,
  );
}
