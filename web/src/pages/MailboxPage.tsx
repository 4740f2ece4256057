/**
 * /mailboxes/:address: the mailbox's "WeChat Archiver" folder as a mail client lists it, newest
 * first, 50 at a time with "Older" for the rest. A row opens the item (and that open is audited).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { ItemPage as ItemPageData, ItemRow, MailboxInfo } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Loading, Page, StatusBadge, useFormat } from '../components/index.js';
import { msgTypeKey } from './mailboxes/msg-types.js';
import { itemRoute, mailboxItemsApi } from './mailboxes/paths.js';
import { usePaged } from './mailboxes/use-request.js';
import './mailboxes/mailboxes.css';

const PAGE_SIZE = 50;

export function MailboxPage() {
  const { t } = useTranslation('mailboxes');
  const fmt = useFormat();
  const navigate = useNavigate();
  const address = useParams().address ?? '';
  const [mailbox, setMailbox] = useState<MailboxInfo | null>(null);

  const list = usePaged<ItemRow>(
    (before) =>
      get<ItemPageData>(`${mailboxItemsApi(address)}${query({ before, limit: PAGE_SIZE })}`).then((p) => {
        setMailbox(p.mailbox);
        return { rows: p.items, next: p.next };
      }),
    [address],
  );

  const typeName = (msgType: string) => {
    const key = msgTypeKey(msgType);
    return key ? t(key) : msgType;
  };
  const info = mailbox && mailbox.address.toLowerCase() === address.toLowerCase() ? mailbox : null;

  return (
    <Page
      title={info?.displayName || address}
      subtitle={
        <>
          <span data-testid="mailbox-address">{address}</span> · {t('folder')}
          {info ? <> · {t('itemCount', { count: info.items, formatted: fmt.number(info.items) })}</> : null}
        </>
      }
      actions={<Link to="/mailboxes">{t('backToList')}</Link>}
      testId="mailbox-page"
    >
      <ErrorBanner error={list.error} onRetry={list.rows.length > 0 ? list.more : list.reload} testId="items-error" />
      {list.loading ? <Loading label={t('loading')} /> : null}
      {!list.loading && !(list.error && list.rows.length === 0) ? (
        list.rows.length === 0 ? (
          <p className="empty" data-testid="items-empty">
            {t('items.empty')}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table message-list" data-testid="items-table">
              <thead>
                <tr>
                  <th scope="col">{t('items.date')}</th>
                  <th scope="col">{t('items.from')}</th>
                  <th scope="col">{t('items.subject')}</th>
                  <th scope="col">{t('items.type')}</th>
                  <th scope="col" className="num">
                    {t('items.size')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((item) => {
                  const to = itemRoute(address, item.itemKey);
                  return (
                    <tr
                      key={item.itemKey}
                      data-testid={`item-row-${item.itemKey}`}
                      onClick={(e) => {
                        // A click on the link itself (or with a modifier for a new tab) is left to the browser.
                        if ((e.target as HTMLElement).closest('a') || e.metaKey || e.ctrlKey) return;
                        void navigate(to);
                      }}
                    >
                      <td className="nowrap">{fmt.dateTime(item.msgTime)}</td>
                      <td>{item.from}</td>
                      <td>
                        <Link to={to}>{item.subject || t('items.noSubject')}</Link>{' '}
                        {item.recalled ? (
                          <StatusBadge tone="warning" testId={`item-recalled-${item.itemKey}`}>
                            {t('items.recalled')}
                          </StatusBadge>
                        ) : null}
                      </td>
                      <td>{typeName(item.msgType)}</td>
                      <td className="num">{fmt.bytes(item.size)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {list.next !== null && !list.loading ? (
        <div className="list-more">
          <Button onClick={list.more} busy={list.loadingMore} testId="items-older">
            {list.loadingMore ? t('loadingMore') : t('items.older')}
          </Button>
        </div>
      ) : null}
    </Page>
  );
}
