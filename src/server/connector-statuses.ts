/**
 * The connectors' states for a console without a supervisor of its own (`serve --role console`,
 * or any console beside role processes on PostgreSQL): what the console asked of the processes
 * (paused) and what they reported back (connector controls), with the runs they are doing now
 * (their live progress), in the shape the supervisor gives the single process's console.
 */
import type { ConnectorStatus, ManagedConnector } from '../pipeline/supervisor.js';
import { listConnectorControls, liveRunProgress, type ConnectorControl, type Db } from '../store/index.js';

export async function reportedStatuses(db: Db, managed: ManagedConnector[]): Promise<ConnectorStatus[]> {
  // The latest running run of each connector, as its process last said.
  const [live, controls] = await Promise.all([
    liveRunProgress(db).then((runs) => new Map(runs.map((r) => [r.connectorId, r]))),
    listConnectorControls(db),
  ]);
  return managed.map((m) => {
    const run = live.get(m.config.id);
    const c = controls.get(m.config.id);
    const paused = m.paused || c?.paused === true;
    const [state, stateDetail] = reportedState(paused, run !== undefined, c);
    return {
      id: m.config.id,
      origin: m.origin,
      config: m.config,
      intervalSeconds: m.config.schedule.intervalSeconds,
      state,
      stateDetail,
      progress: run ? { ...run.progress, runId: run.runId } : null,
      nextRunAt: paused ? null : (c?.nextRunAt ?? null),
      lastReport: null,
    };
  });
}

/**
 * A connector's state as role processes report it: paused by the console, else running while a
 * run of it goes on, else what its worker or capture process last found (credentials refused
 * first, since only an operator clears that), else idle.
 */
function reportedState(
  paused: boolean,
  running: boolean,
  c: ConnectorControl | undefined,
): [ConnectorStatus['state'], string | null] {
  if (paused) return ['paused', null];
  if (running) return ['running', null];
  if (c?.workerState === 'paused-credentials') return ['paused-credentials', c.workerDetail];
  if (c?.captureState === 'failing') return ['failing', c.captureDetail];
  if (c?.workerState === 'failing') return ['failing', c.workerDetail];
  return ['idle', null];
}
