/**
 * The results of a search: each hit's time, sender, conversation and type, its snippet with
 * the matched text in <mark> (built from the server's offsets as text nodes, never as HTML),
 * and the ways on: the conversation around it and the item in a mailbox that holds it.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { SearchHitInfo } from '../../../../src/server/contract.js';
import { StatusBadge, useFormat } from '../../components/index.js';
import { msgTypeKey } from '../mailboxes/msg-types.js';
import { itemRoute } from '../mailboxes/paths.js';
import { highlightSegments } from './highlight.js';
import { conversationRoute } from './paths.js';

function Snippet({ hit }: { hit: SearchHitInfo }) {
  return (
    <p className="hit-snippet" data-testid="hit-snippet">
      {highlightSegments(hit.snippet, hit.highlights).map((s, i) =>
        s.hit ? (
          <mark key={i} data-testid="hit-mark">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </p>
  );
}

export function HitList({ hits }: { hits: SearchHitInfo[] }) {
  const { t } = useTranslation('search');
  const fmt = useFormat();
  return (
    <ol className="hit-list" data-testid="search-results">
      {hits.map((hit, index) => {
        const typeKey = msgTypeKey(hit.msgtype);
        const mailbox = hit.mailboxes[0];
        return (
          <li key={hit.itemKey} className="hit" data-testid={`hit-${index}`} data-item-key={hit.itemKey}>
            <div className="hit-meta">
              <time dateTime={hit.time}>{fmt.dateTime(Date.parse(hit.time))}</time>
              <span className="hit-from">{hit.from.name ?? hit.from.id}</span>
              <span className="muted">
                {t(hit.conversation.kind === 'group' ? 'hit.inGroup' : 'hit.inSingle', {
                  name: hit.conversation.name ?? hit.conversation.id,
                })}
              </span>
              <span className="muted">{typeKey ? t(typeKey) : hit.msgtype}</span>
              {hit.recalled ? <StatusBadge tone="warning">{t('hit.recalled')}</StatusBadge> : null}
              {hit.hasAttachments ? <StatusBadge tone="neutral">{t('hit.attachments')}</StatusBadge> : null}
            </div>
            <Snippet hit={hit} />
            <div className="hit-actions">
              <Link to={conversationRoute(hit.itemKey)} data-testid={`hit-conversation-${index}`}>
                {t('hit.openConversation')}
              </Link>
              {mailbox ? (
                <Link to={itemRoute(mailbox, hit.itemKey)} data-testid={`hit-item-${index}`}>
                  {t('hit.openItem', { mailbox })}
                </Link>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
