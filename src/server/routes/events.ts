/**
 * Live events for the connectors tab as server-sent events: run progress, state changes and
 * finished runs, pushed as they happen so the page never reloads. A comment line every 15 s
 * keeps proxies from closing an idle stream.
 */
import type { FastifyInstance } from 'fastify';
import type { SupervisorEvent } from '../../pipeline/supervisor.js';
import type { AppContext } from '../context.js';
import type { RunProgress } from '../../pipeline/run.js';
import type { LiveEvent, RunProgressEvent } from '../contract.js';
import { liveRunsFromStore } from '../live-runs.js';
import { runSummary } from '../run-summary.js';

const HEARTBEAT_MS = 15_000;

/** A run's progress as the console receives it, live or with the connector's summary. */
export function progressEvent(connectorId: string, p: RunProgress & { at: number }): RunProgressEvent {
  return {
    connectorId,
    runId: p.runId,
    phase: p.phase,
    captured: p.captured,
    processed: p.processed,
    total: p.total,
    ...(p.delivered !== undefined ? { delivered: p.delivered } : {}),
    ...(p.toDeliver !== undefined ? { toDeliver: p.toDeliver } : {}),
    at: p.at,
  };
}

export function toLiveEvent(e: SupervisorEvent): LiveEvent {
  switch (e.type) {
    case 'progress':
      return { type: 'progress', data: progressEvent(e.connectorId, e.progress) };
    case 'state':
      return { type: 'state', data: { connectorId: e.connectorId, state: e.state, stateDetail: e.stateDetail } };
    case 'run': {
      const r = e.report;
      return {
        type: 'run',
        data: runSummary({
          id: r.runId,
          connectorId: r.connectorId,
          startedAt: Date.parse(r.startedAt),
          finishedAt: Date.parse(r.finishedAt),
          status: r.status,
          counters: r,
          error: r.error ?? null,
        }),
      };
    }
  }
}

export function eventRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Streams are hijacked from Fastify, so closing the app must end them itself.
  const open = new Set<() => void>();
  // Without a supervisor in this process, runs are done by other processes: read from the store.
  const fromStore = ctx.supervisor
    ? undefined
    : liveRunsFromStore(ctx.store.db, { onError: (err) => app.log.warn({ err }, 'live run progress not read') });
  app.addHook('onClose', async () => {
    for (const end of [...open]) end();
    fromStore?.close();
  });
  app.get(
    '/events',
    { config: { access: 'connectors:read' }, schema: { summary: 'Live progress (text/event-stream)' } },
    (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 3000\n\n');
      const send = (e: LiveEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      const off = ctx.supervisor ? ctx.supervisor.on((e) => send(toLiveEvent(e))) : fromStore?.on(send);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(beat);
        off?.();
        open.delete(end);
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);
    },
  );
}
