// The supervisor inside `serve`: connectors start at once, pause and resume, and a reload
// picks up added and removed connectors without a restart, telling listeners as states change.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorSchema } from '../src/config/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { Supervisor, type ManagedConnector, type SupervisorEvent } from '../src/pipeline/supervisor.js';
import { SOURCES } from '../src/sources/index.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-supervisor-'));
  await generateTenant({ outDir: join(dir, 'tenant'), seed: 5, messages: 20 });
  store = await openStore(join(dir, 'data'));
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const managed = (id: string): ManagedConnector => ({
  config: connectorSchema.parse({ id, source: { kind: 'sandbox', dir: join(dir, 'tenant') } }),
  origin: 'console',
  paused: false,
});

function waitFor(s: Supervisor, pred: (e: SupervisorEvent) => boolean): Promise<SupervisorEvent> {
  return new Promise((resolve) => {
    const off = s.on((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

describe('Supervisor', () => {
  it('runs, pauses, resumes and reloads connectors', async () => {
    let wanted = [managed('one')];
    const s = new Supervisor({ store, workers: 0, sources: SOURCES, load: async () => wanted, intervalSeconds: 3600 });
    const events: SupervisorEvent[] = [];
    s.on((e) => events.push(e));
    const firstRun = waitFor(s, (e) => e.type === 'run' && e.connectorId === 'one');
    await s.start();
    const run = await firstRun;
    expect(run.type === 'run' && run.report.captured).toBe(20);
    expect(events.some((e) => e.type === 'progress' && e.connectorId === 'one')).toBe(true);
    expect(events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state)).toEqual([
      'running',
      'idle',
    ]);
    expect(s.get('one')?.nextRunAt).toBeGreaterThan(Date.now());

    await s.setPaused('one', true);
    expect(s.get('one')?.state).toBe('paused');
    expect(s.runNow('one')).toBe(false);
    const resumed = waitFor(s, (e) => e.type === 'run' && e.connectorId === 'one');
    await s.setPaused('one', false);
    await resumed;
    expect(s.get('one')?.state).toBe('idle');

    wanted = [managed('two')];
    const twoRuns = waitFor(s, (e) => e.type === 'run' && e.connectorId === 'two');
    await s.reload();
    await twoRuns;
    expect(s.list().map((c) => c.id)).toEqual(['two']);
    await s.stop();
  });
});
