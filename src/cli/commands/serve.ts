/**
 * `serve`: the long-running service. Runs every configured connector on its schedule. With no
 * connector configured it creates a sandbox tenant in the data directory, keeps adding traffic
 * to it as a live corp would, and archives it continuously, so a newcomer sees the whole flow.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type Config, type ConnectorConfig } from '../../config/index.js';
import { describeError } from '../../core/errors.js';
import { runConnector, startSchedule, type Schedule } from '../../pipeline/index.js';
import { appendMessages, generateTenant, readTenant } from '../../sources/sandbox/index.js';
import { createCallbackHandler, startCallbackServer, type CallbackServer } from '../../sources/wecom/callback/index.js';
import { countItems, openStore } from '../../store/index.js';
import { resolveConfig, type CommonFlags, type SandboxFlags } from '../context.js';
import type { Io } from '../io.js';
import { workersOf } from './run.js';

export interface ServeFlags extends CommonFlags, SandboxFlags {
  interval?: string;
  runs?: string;
}

/** Messages added to the demo tenant before each run, to show traffic arriving. */
const DEMO_TRAFFIC_PER_RUN = 25;

export async function serveCommand(flags: ServeFlags, io: Io): Promise<number> {
  let cfg = await resolveConfig(flags);
  let demoDir: string | undefined;
  if (cfg.connectors.length === 0) {
    demoDir = join(cfg.dataDir, 'sandbox-tenant');
    if (!existsSync(join(demoDir, 'tenant.json'))) {
      io.err(`no connector configured: creating a sandbox tenant in ${demoDir}\n`);
      await generateTenant({ outDir: demoDir, seed: 1, messages: 400 });
    }
    cfg = withDemoConnector(cfg, demoDir);
  }
  const store = await openStore(cfg.dataDir);
  const maxRuns = flags.runs === undefined ? Infinity : Number(flags.runs);
  const schedules: Schedule[] = [];
  const callbacks: CallbackServer[] = [];
  let finished = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));

  for (const c of cfg.connectors) {
    let runs = 0;
    let seed = 1000;
    const intervalS = flags.interval ? Number(flags.interval) : c.schedule.intervalSeconds;
    io.err(`${c.id}: archiving every ${intervalS} s into ${cfg.dataDir}\n`);
    const schedule = startSchedule({
      intervalMs: intervalS * 1000,
      onError: (err) => io.err(`${c.id}: run failed: ${describeError(err)}\n`),
      run: async () => {
        if (runs >= maxRuns) return;
        if (demoDir && runs > 0) {
          // New traffic with times of now, spread over the interval, as a live corp would send it.
          const gap = Math.max(1, Math.floor((intervalS * 1000) / DEMO_TRAFFIC_PER_RUN));
          await appendMessages(demoDir, DEMO_TRAFFIC_PER_RUN, seed++, {
            after: Date.now() - intervalS * 1000,
            meanGapMs: gap,
          });
        }
        const r = await runConnector(store, c, { workers: workersOf(cfg) });
        const totals = await countItems(store.db);
        const held = Object.entries(r.held).map(([k, v]) => `${k} ${v}`);
        io.out(
          `${new Date().toISOString()} ${c.id}: captured ${r.captured}, archived ${r.archived}, held ${r.heldTotal}` +
            `${held.length ? ` (${held.join(', ')})` : ''}, failed ${r.failed}; archive holds ${totals.items} items in ${totals.mailboxes} mailboxes\n`,
        );
        if (r.error) io.err(`${c.id}: ${r.error}\n`);
        runs++;
        if (runs >= maxRuns && ++finished === cfg.connectors.length) resolveDone();
      },
    });
    schedules.push(schedule);
    if (c.callback) {
      const token = process.env[c.callback.tokenEnv];
      const encodingAesKey = process.env[c.callback.encodingAesKeyEnv];
      if (!token || !encodingAesKey) {
        throw new Error(
          `${c.id}: the callback needs $${c.callback.tokenEnv} and $${c.callback.encodingAesKeyEnv} (Token and EncodingAESKey from the WeCom admin console)`,
        );
      }
      const corpId = c.source.kind === 'wecom' ? c.source.corpId : (await readTenant(c.source.dir)).corpId;
      const server = await startCallbackServer({
        host: c.callback.host,
        port: c.callback.port,
        path: c.callback.path,
        // A notification only wakes the schedule: the pull never runs inside WeCom's request.
        handler: createCallbackHandler({ token, encodingAesKey, corpId, onNotify: () => schedule.trigger() }),
      });
      callbacks.push(server);
      io.err(`${c.id}: msgaudit_notify callback listening on ${server.url}\n`);
    }
  }

  const stop = () => resolveDone();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await Promise.all(callbacks.map((c) => c.close()));
  await Promise.all(schedules.map((s) => s.stop()));
  await store.close();
  return 0;
}

function withDemoConnector(cfg: Config, dir: string): Config {
  const connector: Partial<ConnectorConfig> = {
    id: 'sandbox',
    name: 'Sandbox tenant (demo)',
    source: { kind: 'sandbox', dir },
  };
  return parseConfig({ ...cfg, connectors: [connector] }, 'serve', cfg.dataDir);
}
