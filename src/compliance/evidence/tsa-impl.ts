/**
 * RFC 3161 time-stamps of checkpoints: the request is built and the reply checked with pkijs
 * (the standard PKI library for JavaScript), never by hand-written ASN.1. A reply is kept only
 * when it is granted, its imprint is the SHA-256 of our statement, its nonce is ours, and its
 * signature verifies to a certificate chain the operator trusts. The whole reply is stored, so
 * an auditor checks it with `openssl ts -verify` alone. Loaded through tsa.ts when a time-stamp
 * is first asked for or checked.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ArchiverError } from '../../core/errors.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

let engineSet = false;
function engine(): void {
  if (engineSet) return;
  // pkijs needs WebCrypto; Node's is the same OpenSSL the rest of the process uses.
  pkijs.setEngine(
    'node',
    new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] }),
  );
  engineSet = true;
}

function tsaError(message: string, cause?: unknown): ArchiverError {
  return new ArchiverError('WXA_TSA_FAILED', message, cause === undefined ? undefined : { cause });
}

/** Asks the TSA at `url` to time-stamp SHA-256(`data`); returns the DER TimeStampResp. */
export async function requestTimestamp(url: string, data: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  engine();
  const nonce = randomBytes(8);
  nonce[0] = nonce[0]! & 0x7f; // a positive INTEGER, so that it reads back as the same bytes
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash('sha256').update(data).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: Buffer.from(req.toSchema().toBER()),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw tsaError(`the time-stamping authority ${url} did not answer; check evidence.tsa.url and the network`, err);
  }
  if (!res.ok) throw tsaError(`the time-stamping authority ${url} answered HTTP ${res.status}`);
  const reply = Buffer.from(await res.arrayBuffer());
  const parsed = parseReply(reply);
  if (!Buffer.from(parsed.nonce ?? []).equals(nonce)) {
    throw tsaError(`the time-stamping authority ${url} answered with another nonce: the reply is not for our request`);
  }
  return reply;
}

interface ParsedReply {
  signedData: pkijs.SignedData;
  tstInfo: pkijs.TSTInfo;
  imprint: Buffer;
  genTime: Date;
  nonce?: Uint8Array;
}

function parseReply(reply: Buffer): ParsedReply {
  engine();
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(reply);
  } catch (err) {
    throw tsaError('the time-stamp reply is not DER of an RFC 3161 TimeStampResp', err);
  }
  // PKIStatus 0 granted, 1 grantedWithMods; everything else carries no token.
  if (resp.status.status > 1 || !resp.timeStampToken) {
    throw tsaError(`the time-stamping authority refused the request (PKIStatus ${resp.status.status})`);
  }
  const signedData = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  const content = signedData.encapContentInfo.eContent;
  if (!content) throw tsaError('the time-stamp token holds no TSTInfo');
  const tstInfo = pkijs.TSTInfo.fromBER(content.getValue());
  if (tstInfo.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID) {
    throw tsaError('the time-stamp is not over a SHA-256 digest');
  }
  return {
    signedData,
    tstInfo,
    imprint: Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView),
    genTime: tstInfo.genTime,
    nonce: tstInfo.nonce?.valueBlock.valueHexView,
  };
}

import type { TimestampCheck } from './tsa.js';

/** Parses PEM text holding one or more certificates. */
export function certificatesFromPem(pem: string): pkijs.Certificate[] {
  const out: pkijs.Certificate[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(pkijs.Certificate.fromBER(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

/** Checks a stored reply against the statement it should time-stamp and the trusted certificates. */
export async function verifyTimestamp(reply: Buffer, data: Buffer, trustedPem: string): Promise<TimestampCheck> {
  let parsed: ParsedReply;
  try {
    parsed = parseReply(reply);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const genTime = parsed.genTime.toISOString();
  if (!parsed.imprint.equals(createHash('sha256').update(data).digest())) {
    return { ok: false, genTime, reason: 'the time-stamp is over other bytes than the checkpoint statement' };
  }
  const trusted = certificatesFromPem(trustedPem);
  if (trusted.length === 0) return { ok: false, genTime, reason: 'no trusted TSA certificate is configured' };
  try {
    const ok = await parsed.signedData.verify({
      signer: 0,
      checkChain: true,
      trustedCerts: trusted,
      // For a TSTInfo pkijs checks the imprint against these bytes as well.
      data: new Uint8Array(data).buffer,
      // The chain is judged at the time the TSA says it signed, as `openssl ts -verify` does.
      checkDate: parsed.genTime,
    });
    return ok ? { ok: true, genTime } : { ok: false, genTime, reason: 'the time-stamp signature does not verify' };
  } catch (err) {
    const e = err as { message?: string; resultMessage?: string };
    return {
      ok: false,
      genTime,
      reason: `the time-stamp signature or its certificate chain does not verify: ${e.resultMessage ?? e.message ?? String(err)}`,
    };
  }
}
