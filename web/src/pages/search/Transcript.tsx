/**
 * A conversation as a transcript: one entry per message with sender, time, kind and text
 * (plain text, shown as text), attachments with inline previews of images the server agreed
 * to preview, recalls marked as such, and the message the view was opened around highlighted.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { TranscriptMessage } from '../../../../src/server/contract.js';
import { StatusBadge, useFormat } from '../../components/index.js';
import { msgTypeKey } from '../mailboxes/msg-types.js';
import { itemRoute } from '../mailboxes/paths.js';

function Attachments({ message }: { message: TranscriptMessage }) {
  const { t } = useTranslation('search');
  const fmt = useFormat();
  if (message.attachments.length === 0) return null;
  return (
    <ul className="transcript-attachments">
      {message.attachments.map((a) => (
        <li key={a.index} data-testid={`transcript-attachment-${a.index}`}>
          {a.previewUrl ? (
            <img
              className="transcript-preview"
              src={a.previewUrl}
              alt={a.filename}
              loading="lazy"
              data-testid="transcript-preview"
              // A file the server refuses to preview (not really an image) leaves its link only.
              onError={(e) => {
                e.currentTarget.hidden = true;
              }}
            />
          ) : null}
          {a.url ? (
            <a href={a.url} download={a.filename || true}>
              {a.filename}
            </a>
          ) : (
            <span>{a.filename}</span>
          )}{' '}
          <span className="muted">
            {a.stored ? `${a.contentType} · ${fmt.bytes(a.size ?? 0)}` : t('conversation.notStored')}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Transcript({ messages, anchor }: { messages: TranscriptMessage[]; anchor: string | null }) {
  const { t } = useTranslation('search');
  const fmt = useFormat();
  return (
    <ol className="transcript" data-testid="transcript">
      {messages.map((m) => {
        const isAnchor = m.itemKey === anchor;
        const typeKey = msgTypeKey(m.msgType);
        return (
          <li
            key={m.itemKey}
            id={isAnchor ? 'transcript-anchor' : undefined}
            className={isAnchor ? 'transcript-message transcript-anchor' : 'transcript-message'}
            data-testid={isAnchor ? 'transcript-anchor' : 'transcript-message'}
            data-item-key={m.itemKey}
            aria-current={isAnchor || undefined}
          >
            <div className="transcript-head">
              <strong className="transcript-from">{m.from.name || m.from.id}</strong>
              {m.from.external ? <StatusBadge tone="info">{t('conversation.external')}</StatusBadge> : null}
              <time dateTime={new Date(m.time).toISOString()}>{fmt.dateTime(m.time)}</time>
              <span className="muted">{typeKey ? t(typeKey) : m.msgType}</span>
              {m.recalled ? (
                <StatusBadge tone="warning" testId="transcript-recalled">
                  {t('conversation.recalledAt', { time: fmt.dateTime(m.recalledAt) })}
                </StatusBadge>
              ) : null}
              {m.action === 'recall' ? (
                <StatusBadge tone="warning" testId="transcript-recall">
                  {t('conversation.recallEvent')}
                </StatusBadge>
              ) : null}
            </div>
            <p className="transcript-text">{m.text}</p>
            <Attachments message={m} />
            {m.mailbox ? (
              <Link className="transcript-open" to={itemRoute(m.mailbox, m.itemKey)}>
                {t('conversation.openItem')}
              </Link>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
