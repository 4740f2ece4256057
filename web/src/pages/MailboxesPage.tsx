/**
 * /mailboxes: every mailbox the archive holds items for, searched by the start of the address
 * and listed 50 at a time. Opening one shows its WeChat Archiver folder.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import type { MailboxInfo, MailboxPage as MailboxPageData } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, Table, useFormat, type Column } from '../components/index.js';
import { mailboxRoute } from './mailboxes/paths.js';
import { usePaged } from './mailboxes/use-request.js';
import './mailboxes/mailboxes.css';

const PAGE_SIZE = 50;
/** Long enough to skip the requests of a word being typed, short enough to feel immediate. */
const SEARCH_DELAY_MS = 300;

export function MailboxesPage() {
  const { t } = useTranslation('mailboxes');
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [typed, setTyped] = useState(q);
  // When the URL changes from outside (the navigation link, history), the box follows it.
  const [shownQ, setShownQ] = useState(q);
  if (q !== shownQ) {
    setShownQ(q);
    setTyped(q);
  }

  // The URL holds the applied search, so a reload or a link keeps it; typing applies it after a pause.
  useEffect(() => {
    if (typed.trim() === q) return;
    const timer = window.setTimeout(() => {
      const next = new URLSearchParams(params);
      if (typed.trim()) next.set('q', typed.trim());
      else next.delete('q');
      setParams(next, { replace: true });
    }, SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [typed, q, params, setParams]);

  const list = usePaged<MailboxInfo>(
    (after) =>
      get<MailboxPageData>(`/api/mailboxes${query({ q, after, limit: PAGE_SIZE })}`).then((p) => ({
        rows: p.mailboxes,
        next: p.next,
      })),
    [q],
  );

  const columns: Column<MailboxInfo>[] = [
    {
      key: 'address',
      header: t('list.address'),
      render: (m) => (
        <Link to={mailboxRoute(m.address)} data-testid={`mailbox-link-${m.address}`}>
          {m.address}
        </Link>
      ),
    },
    { key: 'name', header: t('list.displayName'), render: (m) => m.displayName || '—' },
    { key: 'items', header: t('list.items'), className: 'num', render: (m) => fmt.number(m.items) },
    { key: 'newest', header: t('list.newest'), render: (m) => fmt.dateTime(m.newest) },
  ];

  return (
    <Page title={t('title')} subtitle={t('intro')} testId="mailboxes-page">
      <form
        className="mailbox-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams(params);
          if (typed.trim()) next.set('q', typed.trim());
          else next.delete('q');
          setParams(next, { replace: true });
        }}
      >
        <Field label={t('search.label')} hint={t('search.hint')}>
          <input
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder={t('search.placeholder')}
            autoComplete="off"
            data-testid="mailbox-search"
          />
        </Field>
      </form>

      <ErrorBanner
        error={list.error}
        onRetry={list.rows.length > 0 ? list.more : list.reload}
        testId="mailboxes-error"
      />
      {list.loading ? (
        <Loading label={t('loading')} />
      ) : list.error && list.rows.length === 0 ? null : (
        <>
          <Table
            testId="mailboxes-table"
            columns={columns}
            rows={list.rows}
            rowKey={(m) => m.address}
            rowTestId={(m) => `mailbox-row-${m.address}`}
            empty={<span data-testid="mailboxes-empty">{q ? t('list.noMatch', { q }) : t('list.empty')}</span>}
          />
          {list.next !== null ? (
            <div className="list-more">
              <Button onClick={list.more} busy={list.loadingMore} testId="mailboxes-more">
                {list.loadingMore ? t('loadingMore') : t('more')}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Page>
  );
}
