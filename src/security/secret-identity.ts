/**
 * What a stored secret is bound to: the server, account and endpoint it was saved for. The
 * secret box puts the canonical form into the AES-GCM additional data, so a secret asked for
 * with any other identity does not decrypt; the comparison here only makes the refusal say
 * which field changed.
 */
import { ArchiverError } from '../core/errors.js';

/** Field -> value. Large values (a CA bundle) are given by their SHA-256, not in full. */
export type SecretIdentity = Readonly<Record<string, string | number | boolean | null>>;

/** How a caller asks for a bound secret. */
export interface SecretBinding {
  /** the identity the caller is about to use the secret with */
  identity: SecretIdentity;
  /**
   * What a row saved before secrets were bound is taken to be bound to: the identity its
   * connector has saved now. The first read that matches binds the row for good.
   */
  legacy?: SecretIdentity;
}

/** Sorted keys, no spaces: one text per identity, whatever order the fields were built in. */
export function canonicalIdentity(id: SecretIdentity): string {
  const sorted = Object.keys(id)
    .sort()
    .map((k) => [k, id[k]] as const);
  return JSON.stringify(Object.fromEntries(sorted));
}

/** Fields whose values differ, in a stable order. */
export function changedFields(saved: SecretIdentity, asked: SecretIdentity): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(asked)]);
  return [...keys].sort().filter((k) => (saved[k] ?? null) !== (asked[k] ?? null));
}

function show(v: string | number | boolean | null | undefined): string {
  return v === null || v === undefined ? '(none)' : JSON.stringify(v);
}

/** The refusal: names the secret, each changed field with both values, and what to do. */
export class SecretReentryError extends ArchiverError {
  constructor(
    readonly secretName: string,
    /** the identity fields that differ from the saved ones (empty: nothing saved to compare with) */
    readonly fields: string[],
    message: string,
  ) {
    super('WXA_SECRET_REENTRY_REQUIRED', message);
  }
}

export function reentryRequired(
  name: string,
  saved: SecretIdentity | undefined,
  asked: SecretIdentity,
): SecretReentryError {
  if (!saved) {
    return new SecretReentryError(
      name,
      [],
      `the stored secret "${name}" has no saved server or account to compare with; enter the secret again`,
    );
  }
  const fields = changedFields(saved, asked);
  const diff = fields.map((f) => `${f} ${show(saved[f])} -> ${show(asked[f])}`).join(', ');
  return new SecretReentryError(
    name,
    fields,
    `the stored secret "${name}" was saved for other settings (${diff}); a stored secret is only used with the ` +
      'server, account and endpoint it was saved for: enter the secret again in this request to use the new settings',
  );
}
