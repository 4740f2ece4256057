/**
 * Vitest global setup: the run's one PostgreSQL cluster (see test/helpers/postgres.ts), started
 * before the first test file and stopped after the last; the files learn its port through
 * `inject('wxaPostgres')`. Without PostgreSQL installed nothing starts and `startPostgres` fails
 * in the files that need it, naming the package to install.
 */
import type { TestProject } from 'vitest/node';
import { postgresInstalled, startCluster } from './postgres.js';

/**
 * Sized for the files that run at once (one more than the cores), each with its stores' pools
 * and the `serve` processes it starts: a file alone had 100.
 */
const MAX_CONNECTIONS = 400;

/**
 * Vitest runs the global setup once per project (and once for the root): the cluster is started
 * by the first call and given to every project, and stopped by the last teardown. Three clusters
 * were started per run before, two of them for nothing.
 */
const SHARED = Symbol.for('wechat-archiver.test.postgres-cluster');
interface Shared {
  cluster: ReturnType<typeof startCluster>;
  users: number;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!(await postgresInstalled())) {
    project.provide('wxaPostgres', null);
    return undefined;
  }
  const holder = globalThis as { [SHARED]?: Shared };
  const shared = (holder[SHARED] ??= { cluster: startCluster({ maxConnections: MAX_CONNECTIONS }), users: 0 });
  shared.users++;
  const cluster = await shared.cluster;
  const { port, version, startMs, dir } = cluster;
  project.provide('wxaPostgres', { port, version, startMs, dir });
  return async () => {
    if (--shared.users > 0) return;
    delete holder[SHARED];
    await cluster.stop();
  };
}
