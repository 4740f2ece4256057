/**
 * What the one-run bench scripts share: a fresh data directory with the sandbox tenant as its
 * only connector (`bench`), the store opened on it, and the connector run once, timed.
 */
import { rm } from 'node:fs/promises';
import { parseConfig } from '../src/config/index.js';
import { runConnector } from '../src/pipeline/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { SOURCES } from '../src/sources/index.js';

export interface FreshRun {
  store: Store;
  /** archives the tenant once; its report and the wall-clock milliseconds it took */
  run(): Promise<{ report: Awaited<ReturnType<typeof runConnector>>; ms: number }>;
}

export async function freshRun(tenant: string, dataDir: string, workers: number): Promise<FreshRun> {
  await rm(dataDir, { recursive: true, force: true });
  const cfg = parseConfig(
    { dataDir, workers, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenant } }] },
    'bench',
    dataDir,
  );
  const store = await openStore(dataDir);
  return {
    store,
    run: async () => {
      const t = performance.now();
      const report = await runConnector(store, cfg.connectors[0]!, { workers, sources: SOURCES });
      return { report, ms: performance.now() - t };
    },
  };
}
