/**
 * The columns of a connector's run history: every counter of the report per run, and the run's
 * outcome (a run that held every record it processed is "Held", not "Succeeded").
 * Keys are written with their namespace: this module has no useTranslation of its own.
 */
import type { TFunction } from 'i18next';
import type { RunSummary } from '../../../../src/server/contract.js';
import { ReasonCounts, RunStatusBadge, type Column, type Formatters } from '../../components/index.js';

export function runColumns(t: TFunction<'connectors'>, f: Formatters): Column<RunSummary>[] {
  return [
    {
      key: 'id',
      header: t('connectors:runs.id'),
      render: (r) => <span className="mono">{r.id}</span>,
      className: 'num',
    },
    {
      key: 'started',
      header: t('connectors:runs.started'),
      render: (r) => (
        <div className="stack">
          <span>{f.dateTime(r.startedAt)}</span>
          <span className="muted">
            {r.finishedAt === null ? t('connectors:runs.inProgress') : f.duration(r.finishedAt - r.startedAt)}
          </span>
        </div>
      ),
    },
    { key: 'status', header: t('connectors:runs.status'), render: (r) => <RunStatusBadge run={r} /> },
    { key: 'atSource', header: t('connectors:runs.atSource'), render: (r) => f.number(r.atSource), className: 'num' },
    {
      key: 'processed',
      header: t('connectors:runs.processed'),
      render: (r) => f.number(r.processed ?? 0),
      className: 'num',
    },
    {
      key: 'afterFanOut',
      header: t('connectors:runs.afterFanOut'),
      render: (r) => f.number(r.afterFanOut),
      className: 'num',
    },
    { key: 'archived', header: t('connectors:runs.archived'), render: (r) => f.number(r.archived), className: 'num' },
    {
      key: 'delivered',
      header: t('connectors:runs.delivered'),
      render: (r) => f.number(r.delivered),
      className: 'num',
    },
    { key: 'partial', header: t('connectors:runs.partial'), render: (r) => f.number(r.partial), className: 'num' },
    {
      key: 'duplicates',
      header: t('connectors:runs.duplicates'),
      render: (r) => f.number(r.duplicates),
      className: 'num',
    },
    { key: 'held', header: t('connectors:runs.held'), render: (r) => <ReasonCounts counts={r.held} /> },
    {
      key: 'failed',
      header: t('connectors:runs.failed'),
      render: (r) =>
        Object.keys(r.failedByReason).length > 0 ? <ReasonCounts counts={r.failedByReason} /> : f.number(r.failed),
    },
    {
      key: 'error',
      header: t('connectors:runs.error'),
      render: (r) => (r.error ? <span className="run-error">{r.error}</span> : <span className="muted">—</span>),
    },
  ];
}
