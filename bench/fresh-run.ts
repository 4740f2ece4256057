/**
 * What the one-run bench scripts share: a fresh data directory with the sandbox tenant as its
 * only connector (`bench`), the store opened on it, and the connector run once, timed. `code`
 * chooses the sources (under tsx) or the compiled code in dist/ (what `npm start` runs; a
 * script must not mix the two, or it would hold two copies of every module).
 */
import { rm } from 'node:fs/promises';
import type { runConnector } from '../src/pipeline/index.js';
import type { Store } from '../src/store/index.js';

export interface FreshRun {
  store: Store;
  /** archives the tenant once; its report and the wall-clock milliseconds it took */
  run(): Promise<{ report: Awaited<ReturnType<typeof runConnector>>; ms: number }>;
}

export async function freshRun(
  tenant: string,
  dataDir: string,
  workers: number,
  code: 'src' | 'dist' = 'src',
): Promise<FreshRun> {
  const [config, pipeline, storeModule, sources] =
    code === 'dist'
      ? await Promise.all([
          import('../dist/config/index.js'),
          import('../dist/pipeline/index.js'),
          import('../dist/store/index.js'),
          import('../dist/sources/index.js'),
        ])
      : await Promise.all([
          import('../src/config/index.js'),
          import('../src/pipeline/index.js'),
          import('../src/store/index.js'),
          import('../src/sources/index.js'),
        ]);
  await rm(dataDir, { recursive: true, force: true });
  const cfg = config.parseConfig(
    { dataDir, workers, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenant } }] },
    'bench',
    dataDir,
  );
  const store = (await storeModule.openStore(dataDir)) as Store;
  return {
    store,
    run: async () => {
      const t = performance.now();
      // The two module sets declare the same types apart; the store and config come from the same set.
      const report = await pipeline.runConnector(store as never, cfg.connectors[0]! as never, {
        workers,
        sources: sources.SOURCES as never,
      });
      return { report, ms: performance.now() - t };
    },
  };
}
