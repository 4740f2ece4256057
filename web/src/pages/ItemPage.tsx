/**
 * /mailboxes/:address/:itemKey: one archived item as its recipient would see it. The rendered
 * HTML is the server's, loaded in an iframe with an empty sandbox (no scripts, its own origin),
 * because message content is untrusted; the server also serves it with a strict CSP.
 */
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { ItemView } from '../../../src/server/contract.js';
import { get } from '../api.js';
import { ErrorBanner, Loading, Page, Section, useFormat } from '../components/index.js';
import { msgTypeKey } from './mailboxes/msg-types.js';
import { conversationRoute } from './search/paths.js';
import { itemApi, mailboxRoute } from './mailboxes/paths.js';
import { useLoad } from './mailboxes/use-request.js';
import { useSession } from '../session.js';
import './mailboxes/mailboxes.css';
import './search/search.css';

/** Declared types the server may preview; it checks the bytes and refuses anything else. */
const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export function ItemPage() {
  const { t } = useTranslation('mailboxes');
  const fmt = useFormat();
  const params = useParams();
  const address = params.address ?? '';
  const itemKey = params.itemKey ?? '';
  const item = useLoad(() => get<ItemView>(itemApi(address, itemKey)), [address, itemKey]);
  const view = item.data;
  // Back to the mailbox only for those who may browse it; a Reviewer opens items from their work.
  const back = useSession().can('mailboxes:read') ? (
    <Link to={mailboxRoute(address)} data-testid="item-back">
      {t('item.back', { address })}
    </Link>
  ) : null;
  const actions = (
    <>
      <Link to={conversationRoute(itemKey)} data-testid="item-conversation">
        {t('search:hit.openConversation')}
      </Link>
      {back}
    </>
  );

  if (!view) {
    return (
      <Page title={t('item.title')} actions={back} testId="item-page">
        <ErrorBanner error={item.error} onRetry={item.reload} testId="item-error" />
        {item.loading ? <Loading label={t('item.loading')} /> : null}
      </Page>
    );
  }

  const typeKey = msgTypeKey(view.msgType);
  return (
    <Page
      title={<span data-testid="item-subject">{view.subject || t('items.noSubject')}</span>}
      actions={actions}
      testId="item-page"
    >
      <dl className="item-header">
        <dt>{t('item.from')}</dt>
        <dd data-testid="item-from">{view.from}</dd>
        <dt>{t('item.to')}</dt>
        <dd data-testid="item-to">{view.to.length > 0 ? view.to.join(', ') : '—'}</dd>
        <dt>{t('item.date')}</dt>
        <dd>{fmt.dateTime(view.date)}</dd>
        <dt>{t('item.type')}</dt>
        <dd>{typeKey ? `${t(typeKey)} (${view.msgType})` : view.msgType}</dd>
        <dt>{t('item.size')}</dt>
        <dd>{fmt.bytes(view.size)}</dd>
        <dt>{t('item.sha256')}</dt>
        <dd>
          <code className="item-hash" data-testid="item-sha256">
            {view.sha256}
          </code>
        </dd>
      </dl>
      <iframe
        className="item-frame"
        data-testid="item-frame"
        title={t('item.frameTitle', { subject: view.subject })}
        src={view.htmlUrl}
        // Empty sandbox: no scripts, no forms, no popups, and a unique origin without our cookies.
        sandbox=""
        referrerPolicy="no-referrer"
      />
      <Section title={t('item.attachments', { count: view.attachments.length })}>
        {view.attachments.length === 0 ? (
          <p className="empty" data-testid="attachments-empty">
            {t('item.noAttachments')}
          </p>
        ) : (
          <ul className="attachment-list">
            {view.attachments.map((a) => (
              <li key={a.index}>
                {PREVIEW_TYPES.has(a.contentType.toLowerCase()) ? (
                  <img
                    className="transcript-preview"
                    src={`${a.url}/preview`}
                    alt={a.filename}
                    loading="lazy"
                    data-testid={`attachment-preview-${a.index}`}
                    // The server previews only bytes that really are such an image; others keep their link only.
                    onError={(e) => {
                      e.currentTarget.hidden = true;
                    }}
                  />
                ) : null}
                <a href={a.url} download={a.filename || true} data-testid={`attachment-${a.index}`}>
                  {a.filename || t('item.unnamedAttachment', { index: a.index + 1 })}
                </a>{' '}
                <span className="muted">
                  {a.contentType} · {fmt.bytes(a.size)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <p className="item-audit-note" data-testid="item-audit-note">
        {t('item.auditNote')}
      </p>
    </Page>
  );
}
