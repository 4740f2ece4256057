/**
 * /disposition: a records reviewer's own disposition queue. The batches a retention policy names
 * them to decide, each with the entries it would delete (each opens as an item, which the server
 * allows for exactly these), and approve or postpone. It needs only retention:review, so a
 * Reviewer decides without seeing policies or anyone else's batches.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { get, post } from '../api.js';
import { Button, ErrorBanner, Loading, Page, Section, Table, useFormat, type Column } from '../components/index.js';
import { itemRoute } from './mailboxes/paths.js';

interface Entry {
  itemKey: string;
  mailbox: string;
  msgTime: number;
  msgid: string | null;
}

interface MyBatch {
  id: number;
  policy_id: string;
  status: string;
  created_at: number;
  postponed_until: number | null;
  entries: number;
  items: Entry[];
}

export function DispositionReviewPage() {
  const { t } = useTranslation('retention');
  const fmt = useFormat();
  const [batches, setBatches] = useState<MyBatch[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setBatches((await get<{ batches: MyBatch[] }>('/api/retention/review')).batches);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);

  async function decide(id: number, body: Record<string, unknown>) {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/retention/batches/${id}/decision`, body);
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const entryColumns: Column<Entry>[] = [
    { key: 'time', header: t('columns.time'), render: (e) => fmt.dateTime(e.msgTime) },
    { key: 'mailbox', header: t('columns.mailbox'), render: (e) => e.mailbox },
    {
      key: 'open',
      header: t('myQueue.item'),
      render: (e) => (
        <Link to={itemRoute(e.mailbox, e.itemKey)} data-testid={`disposition-item-${e.mailbox}/${e.itemKey}`}>
          {e.msgid ?? e.itemKey}
        </Link>
      ),
    },
  ];

  return (
    <Page title={t('myQueue.title')} subtitle={t('myQueue.intro')} testId="disposition-page">
      <p className="banner banner-info">{t('outsideNote')}</p>
      <ErrorBanner error={error} />
      {batches === null ? <Loading /> : null}
      {batches?.length === 0 ? (
        <p className="empty" data-testid="disposition-empty">
          {t('myQueue.empty')}
        </p>
      ) : null}
      {batches?.map((b) => (
        <div key={b.id} data-testid={`disposition-batch-${b.id}`}>
          <Section title={t('myQueue.batch', { id: b.id, policy: b.policy_id, entries: fmt.number(b.entries) })}>
            <p>
              {b.status === 'postponed' && b.postponed_until
                ? t('postponedUntil', { date: fmt.dateTime(b.postponed_until) })
                : t(`status.${b.status}`)}
              {' · '}
              {fmt.dateTime(b.created_at)}
            </p>
            <Table
              columns={entryColumns}
              rows={b.items}
              rowKey={(e) => `${e.itemKey}\u0000${e.mailbox}`}
              testId={`disposition-entries-${b.id}`}
            />
            {b.entries > b.items.length ? (
              <p className="muted">
                {t('myQueue.more', { shown: fmt.number(b.items.length), entries: fmt.number(b.entries) })}
              </p>
            ) : null}
            <Button
              variant="danger"
              busy={busy}
              testId={`disposition-approve-${b.id}`}
              onClick={() => void decide(b.id, { decision: 'approve' })}
            >
              {t('approve')}
            </Button>{' '}
            <Button
              busy={busy}
              testId={`disposition-postpone-${b.id}`}
              onClick={() => void decide(b.id, { decision: 'postpone', days: 30 })}
            >
              {t('postpone')}
            </Button>
          </Section>
        </div>
      ))}
    </Page>
  );
}
