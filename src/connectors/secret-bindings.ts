/**
 * Which server, account and endpoint each of a console connector's secrets is bound to. A
 * stored secret is only used with the identity it was saved for: a test or an update that
 * changes any of these fields without giving the secret again is refused (HTTP 400,
 * WXA_SECRET_REENTRY_REQUIRED), so nobody who may edit a connector can have its stored password
 * sent to a server of their choosing. Fields that do not decide where a secret goes (folder,
 * label, the mailbox tested) are left out, so changing them keeps the secret.
 */
import { createHash } from 'node:crypto';
import type { RuntimeSecrets } from '../pipeline/index.js';
import { SecretReentryError, type SecretBinding, type SecretBox, type SecretIdentity } from '../security/index.js';
import type { Db } from '../store/index.js';
import type { ConnectorInput, DestinationInput, SecretsInput } from './types.js';
import { ArchiverError } from '../core/errors.js';
import { secretName, type StoredDefinition } from './secret-names.js';

type SourceInput = ConnectorInput['source'];

/** Where a destination's secret goes; undefined for the embedded archive, which has none. */
export function destinationIdentity(d: DestinationInput): SecretIdentity | undefined {
  switch (d.kind) {
    case 'archive':
      return undefined;
    case 'imap':
      return {
        kind: 'imap',
        host: d.host.trim().toLowerCase(),
        // The effective port: leaving the default out and writing it in are the same server.
        port: d.port ?? (d.secure ? 993 : 143),
        secure: d.secure,
        // A changed CA lets another certificate pass as the same host name.
        ca: d.ca ? createHash('sha256').update(d.ca.trim()).digest('hex') : null,
        authKind: d.authKind,
        masterUser: d.authKind === 'master' ? (d.masterUser ?? null) : null,
      };
    case 'graph':
      // The cloud decides the sign-in authority the client secret is posted to.
      return { kind: 'graph', tenantId: d.tenantId, clientId: d.clientId, cloud: d.cloud ?? 'worldwide' };
    case 'gmail':
      // The service account, its token endpoint and its key are all inside the secret itself.
      return { kind: 'gmail' };
  }
}

/**
 * Where a WeCom source's secrets go. The archive secret and proxy password reach the vendor
 * library, which sends them through the proxy; the private keys never leave this process and
 * belong to one corp, so only the corp binds them.
 */
export function sourceIdentity(s: SourceInput, which: 'archive' | 'proxy' | 'key'): SecretIdentity | undefined {
  if (s.kind !== 'wecom') return undefined;
  if (which === 'key') return { kind: 'wecom', corpId: s.corpId };
  return { kind: 'wecom', corpId: s.corpId, sdkLibrary: s.sdkLibrary, proxy: s.proxy ?? '' };
}

function binding(asked: SecretIdentity | undefined, saved: SecretIdentity | undefined): SecretBinding {
  // A source or destination that binds nothing (sandbox, archive) still asks with an identity,
  // so a secret saved for a real server never decrypts there.
  return { identity: asked ?? { kind: 'none' }, ...(saved ? { legacy: saved } : {}) };
}

/** A stored secret read for `path` of the request; a refusal names that path. */
async function read(db: Db, box: SecretBox, name: string, b: SecretBinding, path: string): Promise<string | undefined> {
  try {
    return await box.get(db, name, b);
  } catch (err) {
    if (!(err instanceof SecretReentryError)) throw err;
    throw new ArchiverError('WXA_SECRET_REENTRY_REQUIRED', `${path}: ${err.message}`, {
      details: {
        fields: [{ path, message: `enter it again: ${err.fields.join(', ') || 'no saved settings'} changed` }],
      },
    });
  }
}

/** The stored secret of destination `index` for use with `asked` (the saved one, or a test's). */
export function readDestinationSecret(
  db: Db,
  box: SecretBox,
  saved: StoredDefinition,
  index: number,
  asked: DestinationInput,
  path: string,
): Promise<string | undefined> {
  const was = saved.destinations[index];
  const b = binding(destinationIdentity(asked), was ? destinationIdentity(was) : undefined);
  return read(db, box, secretName.destination(saved.id, index), b, path);
}

/**
 * A WeCom source's stored secrets for use with `asked`, skipping those `supplied` anew (they
 * replace the stored ones, so the stored ones are neither needed nor checked).
 */
export async function readSourceSecrets(
  db: Db,
  box: SecretBox,
  saved: StoredDefinition,
  asked: SourceInput,
  supplied?: SecretsInput,
): Promise<RuntimeSecrets> {
  const out: RuntimeSecrets = { privateKeys: [] };
  if (asked.kind !== 'wecom') return out;
  const forOf = (which: 'archive' | 'proxy' | 'key') =>
    binding(sourceIdentity(asked, which), sourceIdentity(saved.source, which));
  if (!supplied?.archiveSecret) {
    const v = await read(db, box, secretName.archive(saved.id), forOf('archive'), 'secrets.archiveSecret');
    if (v) out.archiveSecret = v;
  }
  if (asked.proxy && !supplied?.proxyPassword) {
    const v = await read(db, box, secretName.proxy(saved.id), forOf('proxy'), 'secrets.proxyPassword');
    if (v) out.proxyPassword = v;
  }
  const given = new Set((supplied?.privateKeys ?? []).map((k) => k.version));
  for (const version of saved.keyVersions.filter((v) => !given.has(v))) {
    const pem = await read(db, box, secretName.key(saved.id, version), forOf('key'), `secrets.privateKeys.v${version}`);
    if (pem) out.privateKeys!.push({ version, pem });
  }
  return out;
}

/**
 * Before an update keeps stored secrets: each one the new definition still uses must fit its
 * new settings, else the update is refused before anything is written.
 */
export async function checkKeptSecrets(
  db: Db,
  box: SecretBox,
  saved: StoredDefinition,
  next: ConnectorInput,
  supplied: SecretsInput | undefined,
): Promise<void> {
  await readSourceSecrets(db, box, saved, next.source, supplied);
  for (const [i, d] of next.destinations.entries()) {
    if (d.kind === 'archive' || supplied?.destinations?.[String(i)]) continue;
    await readDestinationSecret(db, box, saved, i, d, `secrets.destinations.${i}`);
  }
}
