/**
 * RFC 3161 time-stamps of checkpoints (tsa-impl.ts does the work). pkijs and asn1js are loaded
 * when a time-stamp is first asked for or checked, not by every process that loads the evidence
 * code: about 0.1 s of CPU at each start of every command (`run`, `serve`, `status`...), for
 * what only the checkpoint and verification steps use, and only with a TSA configured.
 */
export interface TimestampCheck {
  ok: boolean;
  /** the TSA's time, ISO 8601 */
  genTime?: string;
  reason?: string;
}

let impl: Promise<typeof import('./tsa-impl.js')> | undefined;
const load = () => (impl ??= import('./tsa-impl.js'));

/** Asks the TSA at `url` to time-stamp SHA-256(`data`); returns the DER TimeStampResp. */
export async function requestTimestamp(url: string, data: Buffer, timeoutMs?: number): Promise<Buffer> {
  return (await load()).requestTimestamp(url, data, timeoutMs);
}

/** Checks a stored reply against the statement it should time-stamp and the trusted certificates. */
export async function verifyTimestamp(reply: Buffer, data: Buffer, trustedPem: string): Promise<TimestampCheck> {
  return (await load()).verifyTimestamp(reply, data, trustedPem);
}
