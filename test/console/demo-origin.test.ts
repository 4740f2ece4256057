// The sandbox demo that `serve` adds when nothing is configured is labelled as the built-in
// demo, not as a connector "defined in the configuration file" (there is no such file), in the
// supervisor's list, the console API, and the refusal to edit it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type { ConnectorSummary } from '../../src/server/contract.js';
import { loadManagedConnectors } from '../../src/connectors/managed.js';
import { Supervisor } from '../../src/pipeline/supervisor.js';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { startConsole, userWith, type ConsoleHarness } from '../helpers/console.js';
import { SOURCES } from '../../src/sources/index.js';

let h: ConsoleHarness;
let tenantDir: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tenantDir = await tempDir('demo-origin');
  await generateTenant({ outDir: tenantDir.path, seed: 2, messages: 10 });
  h = await startConsole({
    config: { connectors: [{ id: 'sandbox', source: { kind: 'sandbox', dir: join(tenantDir.path) } }] },
  });
});
afterAll(async () => {
  await h.close();
  await tenantDir.cleanup();
});

describe('the built-in demo connector', () => {
  it('is labelled demo, and a connector of the file stays config', async () => {
    const demo = await loadManagedConnectors({ ...h, demoConnectorId: 'sandbox' });
    expect(demo.map((m) => [m.config.id, m.origin])).toEqual([['sandbox', 'demo']]);
    const file = await loadManagedConnectors(h);
    expect(file.map((m) => [m.config.id, m.origin])).toEqual([['sandbox', 'config']]);
  });

  it('shows as the demo in the console API and refuses an edit saying what it is', async () => {
    const supervisor = new Supervisor({
      store: h.store,
      workers: 0,
      sources: SOURCES,
      load: () => loadManagedConnectors({ ...h, demoConnectorId: 'sandbox' }),
      intervalSeconds: 3600,
      maxRuns: 0,
    });
    await supervisor.start();
    try {
      expect(supervisor.get('sandbox')?.origin).toBe('demo');
      // The app of the harness has no supervisor; this one answers from the supervisor's list.
      const { buildApp } = await import('../../src/server/app.js');
      const app = await buildApp({ store: h.store, config: h.config, secrets: h.secrets, supervisor });
      const admin = await userWith({ ...h, app }, 'org', ['org-admin']);
      const { connectors: list } = await admin.json<{ connectors: ConnectorSummary[] }>('GET', '/api/connectors');
      expect(list.find((c) => c.id === 'sandbox')?.origin).toBe('demo');
      const edit = await admin.request('PUT', '/api/connectors/sandbox', {
        id: 'sandbox',
        name: 'x',
        termsAccepted: TERMS_VERSION,
        source: { kind: 'sandbox', messages: 10 },
        mapping: { autoFromDirectoryEmail: true },
        destinations: [{ kind: 'archive' }],
        schedule: { intervalSeconds: 3600 },
      });
      expect(edit.statusCode).toBe(400);
      expect(edit.json()).toMatchObject({
        code: 'WXA_CONNECTOR_READONLY',
        message: expect.stringMatching(/built-in demo/),
      });
      await app.close();
    } finally {
      await supervisor.stop();
    }
  });
});
