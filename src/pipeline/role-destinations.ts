/**
 * The destinations a worker process (`serve --role worker`) keeps from one pass to the next.
 * Built afresh for every pass, each destination started with an empty connection pool: every
 * pass then logged in again to every mailbox it delivered to, created its folder again and
 * forgot what it had learnt of the server (whether it keeps APPEND dates), which on a busy
 * worker, whose passes follow one another every few seconds, cost more than the deliveries.
 * Kept here per connector, they are rebuilt only when the connector's destination settings
 * change (a console edit), and closed (LOGOUT) when the worker stops.
 */
import { createHash } from 'node:crypto';
import type { ConnectorConfig } from '../config/index.js';
import { connectorDestinations, type BuildOptions } from './connector.js';
import type { ConfiguredDestination } from './deliver.js';
import type { ProcessSlots } from './role-connection-slots.js';

interface Kept {
  /** of the destination settings they were built from */
  fingerprint: string;
  destinations: ConfiguredDestination[];
}

export class KeptDestinations {
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly deps: Pick<BuildOptions, 'db' | 'seal' | 'logger'> & {
      /** the per-account connection cap shared with the other worker processes */
      slots?: ProcessSlots;
    },
  ) {}

  /** The connector's destinations: the kept ones while its settings are unchanged, else new ones. */
  async of(cfg: ConnectorConfig): Promise<ConfiguredDestination[]> {
    // A digest, so that passwords in the settings are not kept twice in memory.
    const fingerprint = createHash('sha256').update(JSON.stringify(cfg.destinations)).digest('hex');
    const old = this.kept.get(cfg.id);
    if (old?.fingerprint === fingerprint) return old.destinations;
    // Passes of a worker run one after another: nothing is in flight on the old ones.
    if (old) await closeAll(old.destinations);
    const { slots, ...deps } = this.deps;
    const destinations = connectorDestinations(cfg, {
      ...deps,
      // One set of slots per account at a server, whatever connector or destination reaches it.
      ...(slots ? { connectionSlots: () => slots } : {}),
    });
    this.kept.set(cfg.id, { fingerprint, destinations });
    return destinations;
  }

  /** Closes the destinations of connectors that are gone (removed from the configuration). */
  async keepOnly(ids: ReadonlySet<string>): Promise<void> {
    for (const [id, k] of this.kept) {
      if (ids.has(id)) continue;
      this.kept.delete(id);
      await closeAll(k.destinations);
    }
  }

  async close(): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    for (const k of all) await closeAll(k.destinations);
  }
}

async function closeAll(destinations: ConfiguredDestination[]): Promise<void> {
  // A failed LOGOUT of a connection being dropped changes nothing for the caller.
  await Promise.all(destinations.map((d) => d.destination.close().catch(() => undefined)));
}
