/**
 * Opt-in long runs. The default suite keeps every behaviour covered at a size that finishes in
 * minutes on a small CI machine; `WXA_LONG_TESTS=1` runs the same tests at the size the product
 * promises (for example the 10,000-message Dovecot run), for a release check or a nightly job.
 */
export const LONG_TESTS = process.env.WXA_LONG_TESTS === '1';

/** `long` when WXA_LONG_TESTS=1, else `short`. */
export function longOr<T>(long: T, short: T): T {
  return LONG_TESTS ? long : short;
}
