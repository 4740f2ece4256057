/**
 * One reason's card on the problems page: how many items it holds, what it means, what the
 * operator does about it, a few examples, and the button that releases the items once the cause
 * is fixed (re-evaluate held records, or retry held deliveries) for every connector that has them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { ProblemActionResult } from '../../../../src/server/contract.js';
import { post } from '../../api.js';
import { Button, ErrorBanner, Table, useFormat, type Column } from '../../components/index.js';
import { REASON_TEXT, type MergedGroup, type ReasonExample, type ReasonText } from './reasons.js';

export interface ProblemGroupCardProps {
  group: MergedGroup;
  canWrite: boolean;
  /**
   * Called after the action with how many items were released; the page keeps the message,
   * since the card itself disappears once nothing of its reason is held any more.
   */
  onReleased: (released: number) => void;
}

export function ProblemGroupCard({ group, canWrite, onReleased }: ProblemGroupCardProps) {
  const { t } = useTranslation('problems');
  const fmt = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // A reason added to the server before the console knows it shows the server's English advice.
  const text: ReasonText | undefined = REASON_TEXT[group.reason];
  const { reason, action } = group;

  async function act() {
    if (action === 'none') return;
    setBusy(true);
    setError(null);
    let total = 0;
    try {
      // The action is per connector; each connector's part is released with its own id.
      for (const part of group.parts.filter((p) => p.action === action)) {
        const result = await post<ProblemActionResult>(`/api/problems/${action}`, {
          connectorId: part.connectorId,
          reason,
        });
        total += result.released;
      }
      onReleased(total);
    } catch (e) {
      setError(e);
      if (total > 0) onReleased(total);
    } finally {
      setBusy(false);
    }
  }

  const multiConnector = group.parts.length > 1;
  const columns: Column<ReasonExample>[] = [
    { key: 'at', header: t('examples.time'), render: (e) => fmt.dateTime(e.at) },
    ...(multiConnector
      ? [{ key: 'connector', header: t('examples.connector'), render: (e: ReasonExample) => e.connectorId }]
      : []),
    {
      key: 'participant',
      header: reason === 'destination-refused' ? t('examples.mailbox') : t('examples.participant'),
      render: (e) => (e.participant ? <code>{e.participant}</code> : '—'),
    },
    // The mailboxes an item reached (an archived item some of whose people map to none); a
    // refused delivery's mailbox is already the column before.
    ...(reason !== 'destination-refused'
      ? [
          {
            key: 'target',
            header: t('examples.targetMailbox'),
            render: (e: ReasonExample) => (e.targetMailbox ? <code>{e.targetMailbox}</code> : '—'),
          },
        ]
      : []),
    { key: 'code', header: t('examples.code'), render: (e) => (e.code ? <code>{e.code}</code> : '—') },
    {
      key: 'detail',
      header: t('examples.detail'),
      // The server's detail is English; the unmapped ones, by far the most common, are said in
      // the reader's language (the English stays in the tooltip).
      render: (e) => (
        <span className="problem-detail" title={e.detail}>
          {reason === 'unmapped'
            ? e.participant
              ? t('examples.unmappedParticipant', { participant: e.participant })
              : t('examples.unmappedMessage')
            : e.detail}
        </span>
      ),
    },
  ];

  // Archived for their other participants: counted as archived, not in the held count above.
  const archivedPartly = group.parts.reduce((n, p) => n + (p.archivedPartly ?? 0), 0);
  return (
    <article
      className="card problem-group"
      data-testid={`problem-group-${reason}`}
      data-reason={reason}
      data-count={group.count}
    >
      <header className="problem-group-header">
        <h3>{text ? t(text.title) : reason}</h3>
        <span className="badge badge-warning" title={t('count', { count: group.count })}>
          <span data-testid={`problem-count-${reason}`}>{fmt.number(group.count)}</span>
        </span>
      </header>
      {text ? (
        <>
          <p className="problem-explanation">{t(text.explanation)}</p>
          <h4>{t('whatToDo')}</h4>
          <p className="problem-advice">{t(text.advice)}</p>
        </>
      ) : (
        <p className="problem-advice">{group.parts[0]?.advice}</p>
      )}
      {archivedPartly > 0 ? (
        <p className="problem-partly" data-testid={`problem-partly-${reason}`}>
          {t('archivedPartly', { count: archivedPartly, value: fmt.number(archivedPartly) })}
        </p>
      ) : null}
      <p className="problem-connectors">
        {t('connectors')}{' '}
        {group.parts.map((p, i) => (
          <span key={p.connectorId}>
            {i > 0 ? ', ' : null}
            <Link to={`/connectors/${encodeURIComponent(p.connectorId)}`}>{p.connectorId}</Link> ({fmt.number(p.count)})
          </span>
        ))}
      </p>
      {group.examples.length > 0 ? (
        <Table
          caption={t('examples.title')}
          columns={columns}
          rows={group.examples}
          rowKey={(e) => `${e.connectorId}:${e.id}`}
        />
      ) : null}
      <footer className="problem-group-footer">
        {action !== 'none' && canWrite ? (
          <Button variant="primary" busy={busy} onClick={() => void act()} testId={`problem-action-${reason}`}>
            {busy ? t('action.working') : action === 'retry' ? t('action.retry') : t('action.reevaluate')}
          </Button>
        ) : null}
        {action === 'none' ? <span className="muted">{t('action.none')}</span> : null}
        <ErrorBanner error={error} context={t('action.failed')} />
      </footer>
    </article>
  );
}
