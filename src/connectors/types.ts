/**
 * A connector's definition as an administrator edits it in the console (source, mapping,
 * destinations, schedule) and the write-only secrets that travel beside it; stored without the
 * secrets, which are kept encrypted under their own names.
 */

/** Secret fields are never sent back: only whether they are set. */
export type SecretStatus = Record<string, 'set' | 'unset'>;

export interface SandboxSourceInput {
  kind: 'sandbox';
  /** messages of the generated demo tenant (default 400) */
  messages?: number;
}

export interface WecomSourceInput {
  kind: 'wecom';
  corpId: string;
  sdkLibrary: string;
  proxy?: string;
}

/**
 * A destination as the wizard edits it; its secret (IMAP password, Graph client secret, Gmail
 * service-account key JSON) travels in `SecretsInput.destinations[index]`, never here.
 */
export type DestinationInput =
  | { kind: 'archive' }
  | {
      kind: 'imap';
      host: string;
      port?: number;
      /** implicit TLS (993); otherwise STARTTLS is required */
      secure: boolean;
      /** 'master': one master user logs in as each mailbox; 'password': one password for all */
      authKind: 'master' | 'password';
      masterUser?: string;
      /** a mailbox the connection test logs in to */
      checkMailbox: string;
      folder?: string;
      /** PEM of a private CA that signed the server's certificate (the system CAs are trusted too) */
      ca?: string;
    }
  | {
      kind: 'graph';
      tenantId: string;
      clientId: string;
      cloud?: string;
      folder?: string;
      /** the tenant's maximum receive size in bytes (default 35 MB = 36,700,160) */
      maxMessageBytes?: number;
    }
  | { kind: 'gmail'; label?: string };

/** Write-only values, kept encrypted; omit a field to keep what is stored. */
export interface SecretsInput {
  archiveSecret?: string;
  proxyPassword?: string;
  /** RSA private keys by version, PEM (PKCS#1 or PKCS#8) */
  privateKeys?: { version: number; pem: string }[];
  /** per destination index: the password, client secret or service-account key JSON */
  destinations?: Record<string, string>;
}

export interface ConnectorInput {
  id: string;
  name: string;
  source: SandboxSourceInput | WecomSourceInput;
  mapping: {
    autoFromDirectoryEmail: boolean;
    addressTemplate?: string;
    catchAll?: string;
    /** the uploaded CSV's text; its problems are refused before anything is saved */
    csv?: string;
    csvFileName?: string;
  };
  destinations: DestinationInput[];
  schedule: { intervalSeconds: number };
}
