/**
 * The connectors there are: those of the config file (read-only in the console) and those
 * defined from the console, materialized with their secrets. The supervisor loads this at start
 * and after every change made from the console.
 */
import type { Config } from '../config/index.js';
import { describeError } from '../core/errors.js';
import type { ManagedConnector } from '../pipeline/supervisor.js';
import type { SecretBox } from '../security/index.js';
import { listConnectorDefinitions, type Store } from '../store/index.js';
import { materialize, type StoredDefinition } from './definitions.js';

export async function loadManagedConnectors(deps: {
  config: Config;
  store: Store;
  secrets: SecretBox;
  onError?: (line: string) => void;
  /** the id of the sandbox demo `serve` adds when nothing is configured: labelled as such, not as the file's */
  demoConnectorId?: string;
}): Promise<ManagedConnector[]> {
  const out: ManagedConnector[] = deps.config.connectors.map((c) => ({
    config: c,
    origin: c.id === deps.demoConnectorId ? 'demo' : 'config',
    paused: false,
  }));
  const taken = new Set(out.map((m) => m.config.id));
  for (const row of await listConnectorDefinitions(deps.store.db)) {
    if (taken.has(row.id)) {
      deps.onError?.(`connector ${row.id} is defined in the config file and in the console; the config file wins`);
      continue;
    }
    const def = row.definition as StoredDefinition;
    try {
      const { config, secrets } = await materialize({ dataDir: deps.config.dataDir }, deps.store.db, deps.secrets, def);
      out.push({ config, origin: 'console', paused: row.paused, secrets: async () => secrets });
    } catch (err) {
      deps.onError?.(`connector ${row.id} cannot start: ${describeError(err)}`);
    }
  }
  return out;
}
