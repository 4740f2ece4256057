/**
 * The wizard's working copy of a connector: what the form holds (strings as typed, secrets
 * typed in this session), how it becomes a CreateConnectorRequest, how an existing connector
 * fills it for editing. Pure, so it is tested without a browser; validate.ts says what keeps
 * each step from going on.
 */

/** Exchange's megabyte: a tenant's "35 MB" is 35 MiB (36,700,160 bytes). */
const MIB = 1024 * 1024;
import type {
  ConnectorDetail,
  ConnectorInput,
  CreateConnectorRequest,
  DestinationInput,
  MappingPreview,
  SecretStatus,
  SecretsInput,
} from '../../../../src/server/contract.js';

export const STEPS = ['terms', 'source', 'mapping', 'destinations', 'schedule', 'review'] as const;
export type Step = (typeof STEPS)[number];

/** The connector id the server accepts: it names the connector in URLs, logs and the store. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_INTERVAL_SECONDS = 60;
/** Once a day, like the reference archiver; longer risks the source's 5-day window. */
export const MAX_INTERVAL_SECONDS = 86_400;
export const GRAPH_CLOUDS = ['worldwide', 'gcc', 'gcc-high', 'dod', 'china'] as const;

export interface KeyDraft {
  uid: string;
  version: string;
  pem: string;
}

export type DestinationDraft =
  | {
      uid: string;
      kind: 'imap';
      host: string;
      port: string;
      secure: boolean;
      authKind: 'master' | 'password';
      masterUser: string;
      /** a mailbox that connection checks log in to */
      checkMailbox: string;
      folder: string;
      /** PEM of a private CA, optional */
      ca: string;
      secret: string;
    }
  | {
      uid: string;
      kind: 'graph';
      tenantId: string;
      clientId: string;
      cloud: string;
      folder: string;
      /** the tenant's maximum receive size in MB (MiB, as Exchange counts); '' = the 35 MB default */
      maxMessageMb: string;
      secret: string;
    }
  | { uid: string; kind: 'gmail'; label: string; secret: string };

export type ExternalKind = DestinationDraft['kind'];

export interface WizardDraft {
  termsAccepted: boolean;
  name: string;
  id: string;
  /** once the user edits the id, the name no longer changes it */
  idTouched: boolean;
  sourceKind: 'sandbox' | 'wecom';
  sandboxMessages: string;
  corpId: string;
  sdkLibrary: string;
  proxy: string;
  archiveSecret: string;
  proxyPassword: string;
  privateKeys: KeyDraft[];
  autoMapping: boolean;
  addressTemplate: string;
  catchAll: string;
  csv: string | null;
  csvFileName: string | null;
  /** the server's reading of `csv`; null while it is being asked */
  csvPreview: MappingPreview | null;
  /** the external destinations; the embedded archive is always first and not listed here */
  destinations: DestinationDraft[];
  intervalSeconds: string;
}

/** Create (new connector) or edit (existing: its stored secrets may be left empty to keep them). */
export interface WizardMode {
  editing: boolean;
  secrets: SecretStatus;
}

let uidCounter = 0;
/** Keys for React lists; unique within the page's lifetime. */
export function uid(): string {
  uidCounter += 1;
  return `u${uidCounter}`;
}

export function emptyDraft(): WizardDraft {
  return {
    termsAccepted: false,
    name: '',
    id: '',
    idTouched: false,
    sourceKind: 'sandbox',
    sandboxMessages: '',
    corpId: '',
    sdkLibrary: '',
    proxy: '',
    archiveSecret: '',
    proxyPassword: '',
    privateKeys: [{ uid: uid(), version: '1', pem: '' }],
    autoMapping: true,
    addressTemplate: '',
    catchAll: '',
    csv: null,
    csvFileName: null,
    csvPreview: null,
    destinations: [],
    intervalSeconds: String(DEFAULT_INTERVAL_SECONDS),
  };
}

export function newDestination(kind: ExternalKind): DestinationDraft {
  switch (kind) {
    case 'imap':
      return {
        uid: uid(),
        kind,
        host: '',
        port: '',
        secure: true,
        authKind: 'master',
        masterUser: '',
        checkMailbox: '',
        folder: '',
        ca: '',
        secret: '',
      };
    case 'graph':
      return {
        uid: uid(),
        kind,
        tenantId: '',
        clientId: '',
        cloud: 'worldwide',
        folder: '',
        maxMessageMb: '',
        secret: '',
      };
    case 'gmail':
      return { uid: uid(), kind, label: '', secret: '' };
  }
}

/** "Sales team (Shanghai)" -> "sales-team-shanghai"; empty when nothing Latin remains (e.g. a Chinese name). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Sets the name, and the id too until the user has edited it. */
export function withName(draft: WizardDraft, name: string): WizardDraft {
  return { ...draft, name, id: draft.idTouched ? draft.id : slugify(name) };
}

/** The index of a destination in ConnectorInput.destinations (the archive is index 0). */
export function destinationIndex(externalIndex: number): number {
  return externalIndex + 1;
}

/**
 * Whether a stored secret is set. Names the server uses: `archiveSecret`, `proxyPassword`,
 * `privateKeys` (or one `privateKeys.<version>` per key) and `destinations.<index>`.
 */
export function secretIsSet(secrets: SecretStatus, name: string): boolean {
  return Object.entries(secrets).some(
    ([key, status]) => status === 'set' && (key === name || key.startsWith(`${name}.`) || key.startsWith(`${name}:`)),
  );
}

const trimmed = (s: string): string | undefined => (s.trim() ? s.trim() : undefined);

export function toDestinationInput(d: DestinationDraft): DestinationInput {
  switch (d.kind) {
    case 'imap':
      return {
        kind: 'imap',
        host: d.host.trim(),
        ...(d.port.trim() ? { port: Number(d.port) } : {}),
        secure: d.secure,
        authKind: d.authKind,
        ...(d.authKind === 'master' && trimmed(d.masterUser) ? { masterUser: d.masterUser.trim() } : {}),
        checkMailbox: d.checkMailbox.trim(),
        ...(trimmed(d.folder) ? { folder: d.folder.trim() } : {}),
        ...(trimmed(d.ca) ? { ca: d.ca.trim() } : {}),
      };
    case 'graph':
      return {
        kind: 'graph',
        tenantId: d.tenantId.trim(),
        clientId: d.clientId.trim(),
        ...(d.cloud && d.cloud !== 'worldwide' ? { cloud: d.cloud } : {}),
        ...(trimmed(d.folder) ? { folder: d.folder.trim() } : {}),
        ...(trimmed(d.maxMessageMb) ? { maxMessageBytes: Number(d.maxMessageMb) * MIB } : {}),
      };
    case 'gmail':
      return { kind: 'gmail', ...(trimmed(d.label) ? { label: d.label.trim() } : {}) };
  }
}

export function toConnectorInput(draft: WizardDraft): ConnectorInput {
  const source: ConnectorInput['source'] =
    draft.sourceKind === 'sandbox'
      ? { kind: 'sandbox', ...(draft.sandboxMessages.trim() ? { messages: Number(draft.sandboxMessages) } : {}) }
      : {
          kind: 'wecom',
          corpId: draft.corpId.trim(),
          sdkLibrary: draft.sdkLibrary.trim(),
          ...(trimmed(draft.proxy) ? { proxy: draft.proxy.trim() } : {}),
        };
  return {
    id: draft.id,
    name: draft.name.trim(),
    source,
    mapping: {
      autoFromDirectoryEmail: draft.autoMapping,
      ...(trimmed(draft.addressTemplate) ? { addressTemplate: draft.addressTemplate.trim() } : {}),
      ...(trimmed(draft.catchAll) ? { catchAll: draft.catchAll.trim() } : {}),
      ...(draft.csv !== null ? { csv: draft.csv } : {}),
      ...(draft.csv !== null && draft.csvFileName ? { csvFileName: draft.csvFileName } : {}),
    },
    destinations: [{ kind: 'archive' }, ...draft.destinations.map(toDestinationInput)],
    schedule: { intervalSeconds: Number(draft.intervalSeconds) },
  };
}

/** Only what was typed in this session; an omitted secret keeps the stored one. Undefined when none. */
export function toSecrets(draft: WizardDraft): SecretsInput | undefined {
  const secrets: SecretsInput = {};
  if (draft.sourceKind === 'wecom') {
    if (draft.archiveSecret) secrets.archiveSecret = draft.archiveSecret;
    if (draft.proxyPassword) secrets.proxyPassword = draft.proxyPassword;
    const keys = draft.privateKeys.filter((k) => k.pem.trim());
    if (keys.length > 0) secrets.privateKeys = keys.map((k) => ({ version: Number(k.version), pem: k.pem.trim() }));
  }
  const destinations: Record<string, string> = {};
  draft.destinations.forEach((d, i) => {
    if (d.secret) destinations[String(destinationIndex(i))] = d.secret;
  });
  if (Object.keys(destinations).length > 0) secrets.destinations = destinations;
  return Object.keys(secrets).length > 0 ? secrets : undefined;
}

export function toRequest(draft: WizardDraft, termsVersion: string): CreateConnectorRequest {
  const secrets = toSecrets(draft);
  return { ...toConnectorInput(draft), termsAccepted: termsVersion, ...(secrets ? { secrets } : {}) };
}

/** An existing connector's settings in the form; secrets stay empty (they are never sent back). */
export function draftFromDetail(detail: ConnectorDetail): WizardDraft {
  const def = detail.definition;
  const base = emptyDraft();
  const externals = def.destinations.filter((d) => d.kind !== 'archive');
  return {
    ...base,
    name: def.name,
    id: def.id,
    idTouched: true,
    sourceKind: def.source.kind,
    sandboxMessages: def.source.kind === 'sandbox' && def.source.messages ? String(def.source.messages) : '',
    corpId: def.source.kind === 'wecom' ? def.source.corpId : '',
    sdkLibrary: def.source.kind === 'wecom' ? def.source.sdkLibrary : '',
    proxy: def.source.kind === 'wecom' ? (def.source.proxy ?? '') : '',
    privateKeys: secretIsSet(detail.secrets, 'privateKeys') ? [] : base.privateKeys,
    autoMapping: def.mapping.autoFromDirectoryEmail,
    addressTemplate: def.mapping.addressTemplate ?? '',
    catchAll: def.mapping.catchAll ?? '',
    csv: def.mapping.csv ?? null,
    csvFileName: def.mapping.csvFileName ?? null,
    destinations: externals.map((d): DestinationDraft => {
      switch (d.kind) {
        case 'imap':
          return {
            uid: uid(),
            kind: 'imap',
            host: d.host,
            port: d.port === undefined ? '' : String(d.port),
            secure: d.secure,
            authKind: d.authKind,
            masterUser: d.masterUser ?? '',
            checkMailbox: d.checkMailbox,
            folder: d.folder ?? '',
            ca: d.ca ?? '',
            secret: '',
          };
        case 'graph':
          return {
            uid: uid(),
            kind: 'graph',
            tenantId: d.tenantId,
            clientId: d.clientId,
            cloud: d.cloud ?? 'worldwide',
            folder: d.folder ?? '',
            maxMessageMb: d.maxMessageBytes ? String(Math.round(d.maxMessageBytes / MIB)) : '',
            secret: '',
          };
        default:
          return { uid: uid(), kind: 'gmail', label: d.kind === 'gmail' ? (d.label ?? '') : '', secret: '' };
      }
    }),
    intervalSeconds: String(def.schedule.intervalSeconds),
    termsAccepted: false,
  };
}

/** What every step component receives from the wizard page. */
export interface StepProps {
  draft: WizardDraft;
  update: (change: (draft: WizardDraft) => WizardDraft) => void;
  mode: WizardMode;
  /** set when editing: tests may then fill omitted secrets from the stored ones */
  connectorId?: string;
}
