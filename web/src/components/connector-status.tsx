/**
 * How a connector's condition is shown wherever it appears (list, detail page): its state, the
 * live progress of the current run, and its lag against the source's 5-day retention window.
 * The labels are looked up through typed tables so a new state in the contract fails the build.
 */
import { useTranslation } from 'react-i18next';
import type {
  ConnectorState,
  LagInfo,
  RunOutcomeName,
  RunProgressEvent,
  RunSummary,
} from '../../../src/server/contract.js';
import { tk } from '../i18n-keys.js';
import { StatusBadge, type Tone } from './ui.js';
import { useFormat } from './use-format.js';

const STATE_LABEL: Record<ConnectorState, string> = {
  running: tk('connectors:state.running'),
  idle: tk('connectors:state.idle'),
  paused: tk('connectors:state.paused'),
  'paused-credentials': tk('connectors:state.paused-credentials'),
  failing: tk('connectors:state.failing'),
};

const STATE_TONE: Record<ConnectorState, Tone> = {
  running: 'info',
  idle: 'ok',
  paused: 'neutral',
  'paused-credentials': 'alarm',
  failing: 'alarm',
};

const PHASE_LABEL: Record<RunProgressEvent['phase'], string> = {
  capture: tk('connectors:phase.capture'),
  process: tk('connectors:phase.process'),
  deliver: tk('connectors:phase.deliver'),
  done: tk('connectors:phase.done'),
};

const LAG_LABEL: Record<LagInfo['level'], string> = {
  ok: tk('connectors:lag.ok'),
  warning: tk('connectors:lag.warning'),
  alarm: tk('connectors:lag.alarm'),
  unknown: tk('connectors:lag.unknown'),
};

const LAG_TONE: Record<LagInfo['level'], Tone> = { ok: 'ok', warning: 'warning', alarm: 'alarm', unknown: 'neutral' };

export function StateBadge({
  connectorId,
  state,
  detail,
}: {
  connectorId: string;
  state: ConnectorState;
  detail: string | null;
}) {
  const { t } = useTranslation('connectors');
  return (
    <span className="state">
      <StatusBadge tone={STATE_TONE[state]} testId={`connector-state-${connectorId}`} title={detail ?? undefined}>
        <span data-state={state}>{t(STATE_LABEL[state])}</span>
      </StatusBadge>
      {detail ? (
        <span className="state-detail" data-testid={`connector-state-detail-${connectorId}`}>
          {detail}
        </span>
      ) : null}
    </span>
  );
}

/** The current run's phase and counts; a dash when no run is in progress. */
export function ProgressView({ connectorId, progress }: { connectorId: string; progress: RunProgressEvent | null }) {
  const { t } = useTranslation('connectors');
  const f = useFormat();
  if (!progress) {
    return (
      <span className="muted" data-testid={`progress-${connectorId}`} data-phase="none">
        {t('progress.none')}
      </span>
    );
  }
  const { phase, captured, processed, total, delivered, toDeliver } = progress;
  // A worker process's deliver phase says how far it is; the bar then follows the deliveries.
  const delivering = phase === 'deliver' && delivered !== undefined && toDeliver !== undefined;
  const [done, of] = delivering ? [delivered, toDeliver] : [processed, total];
  return (
    <div
      className="progress"
      data-testid={`progress-${connectorId}`}
      data-phase={phase}
      data-captured={captured}
      data-processed={processed}
      data-total={total}
      {...(delivering ? { 'data-delivered': delivered, 'data-to-deliver': toDeliver } : {})}
    >
      <div className="progress-line">
        <strong>{t(PHASE_LABEL[phase])}</strong>
        <span>{t('progress.captured', { value: f.number(captured) })}</span>
        <span>{t('progress.processed', { processed: f.number(processed), total: f.number(total) })}</span>
        {delivering ? (
          <span>{t('progress.delivered', { delivered: f.number(delivered), total: f.number(toDeliver) })}</span>
        ) : null}
      </div>
      <progress max={Math.max(of, 1)} value={Math.min(done, Math.max(of, 1))} />
    </div>
  );
}

/** The lag level (ok / warning / alarm against the 5-day window) and how far behind capture is. */
export function LagView({ connectorId, lag }: { connectorId: string; lag: LagInfo }) {
  const { t } = useTranslation('connectors');
  const f = useFormat();
  const title = t('lag.explain', { retention: f.duration(lag.retentionMs) });
  // Held records are in no mailbox: "on time" would hide them, so a warning says what it is.
  const heldOnly = lag.level === 'warning' && (lag.held ?? 0) > 0;
  return (
    <span className="lag" data-testid={`lag-${connectorId}`} data-level={lag.level} data-held={lag.held ?? 0}>
      <StatusBadge tone={LAG_TONE[lag.level]} title={title}>
        {heldOnly ? t('lag.held') : t(LAG_LABEL[lag.level])}
      </StatusBadge>
      {lag.lagMs !== null ? (
        <span className="lag-value">{t('lag.behind', { duration: f.duration(lag.lagMs) })}</span>
      ) : null}
      {(lag.held ?? 0) > 0 ? (
        <span className="lag-value">{t('lag.heldCount', { count: lag.held, value: f.number(lag.held) })}</span>
      ) : null}
    </span>
  );
}

/** A run that held every record it processed is amber: nothing failed, but nothing was archived. */
const RUN_TONE: Record<RunOutcomeName, Tone> = {
  succeeded: 'ok',
  held: 'warning',
  running: 'info',
  failed: 'alarm',
  interrupted: 'warning',
};

const RUN_LABEL: Record<RunOutcomeName, string> = {
  succeeded: tk('connectors:runStatus.succeeded'),
  held: tk('connectors:runStatus.held'),
  running: tk('connectors:runStatus.running'),
  failed: tk('connectors:runStatus.failed'),
  interrupted: tk('connectors:runStatus.interrupted'),
};

/** A run's outcome (its status, or `held` when it held every record it processed). */
export function RunStatusBadge({ run }: { run: Pick<RunSummary, 'status' | 'outcome'> }) {
  const { t } = useTranslation('connectors');
  // A server older than the console sends no outcome: its status is the outcome then.
  const outcome = (run.outcome ?? run.status) as RunOutcomeName;
  const known = outcome in RUN_TONE;
  return (
    <StatusBadge
      tone={known ? RUN_TONE[outcome] : 'neutral'}
      title={outcome === 'held' ? t('runStatus.heldExplain') : undefined}
    >
      <span data-status={run.status} data-outcome={outcome}>
        {known ? t(RUN_LABEL[outcome]) : outcome}
      </span>
    </StatusBadge>
  );
}

/** "unmapped 3, key missing 1": counts by reason, largest first; a dash when there are none. */
export function ReasonCounts({ counts }: { counts: Record<string, number> }) {
  const { t } = useTranslation('connectors');
  const f = useFormat();
  const entries = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <span className="muted">0</span>;
  return (
    <span className="reasons">
      {entries.map(([reason, n]) => (
        <span key={reason} className="reason" data-reason={reason}>
          {t(`reason.${reason}`, { defaultValue: reason })} <strong>{f.number(n)}</strong>
        </span>
      ))}
    </span>
  );
}
