/**
 * Names of a console connector's secrets in the secret store, and the stored definition that
 * says which of them it uses (the definition itself holds no secret).
 */
import type { ConnectorInput } from './types.js';

export const secretName = {
  archive: (id: string) => `connector/${id}/archive-secret`,
  proxy: (id: string) => `connector/${id}/proxy-password`,
  key: (id: string, version: number) => `connector/${id}/key/v${version}`,
  destination: (id: string, index: number) => `connector/${id}/destination/${index}`,
  prefix: (id: string) => `connector/${id}/`,
};

/** The stored definition: the input without the CSV text (kept as a file) plus the key versions set. */
export interface StoredDefinition extends ConnectorInput {
  keyVersions: number[];
}
