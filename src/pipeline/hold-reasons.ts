/**
 * Why a record is held rather than archived. Each reason is shown to the operator with what
 * to do, and each can be re-evaluated: a held record is processed again when its cause is fixed.
 */
export const HOLD_REASONS = {
  /** no participant maps to a mailbox: add a CSV row or a rule, then the record is re-evaluated */
  unmapped: 'no participant maps to a mailbox; add a mapping row or rule',
  /** the record was encrypted with a key version we do not have: add that private key */
  'key-missing': 'encrypted with a key version that is not configured; add the private key of that version',
  /** the record or its decrypted body is not valid: kept as received for inspection */
  malformed: 'the record cannot be decrypted or parsed; it is kept as received for inspection',
  /** the item could not be rendered as a message: kept, and rendered again after an upgrade */
  'render-failed': 'the message could not be rendered; it is kept and is re-rendered after the fix',
  /** the source sent a msgid already archived, with different content: both versions are kept */
  'conflicting-duplicate':
    'a message with this msgid was already archived with different content; both versions are kept for review',
} as const;

export type HoldReason = keyof typeof HOLD_REASONS;

/** Maps an error code from decryption to a hold reason; undefined means "failed, retry later". */
export function holdReasonFor(code: string): HoldReason | undefined {
  switch (code) {
    case 'WXA_KEY_MISSING':
      return 'key-missing';
    case 'WXA_RSA_PADDING':
    case 'WXA_RECORD_MALFORMED':
    case 'WXA_DECRYPT_FAILED':
    case 'WXA_MESSAGE_MALFORMED':
    case 'WXA_KEY_INVALID':
      return 'malformed';
    case 'WXA_RENDER_FAILED':
      return 'render-failed';
    default:
      return undefined;
  }
}
