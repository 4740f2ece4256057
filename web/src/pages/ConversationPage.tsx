/**
 * /conversation/:itemKey: the chat an item belongs to, opened around it (the messages before
 * and after, in order) and paged both ways: "Earlier" and "Later" load the next page at each
 * end through keyset cursors. Reached from a search hit and from an item in a mailbox; every
 * page is audited by the server.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import type { ConversationPage as ConversationData } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Loading, Page } from '../components/index.js';
import { conversationAroundApi, conversationPageApi } from './search/paths.js';
import { Transcript } from './search/Transcript.js';
import './search/search.css';

const PAGE_SIZE = 30;

export function ConversationPage() {
  const { t } = useTranslation('search');
  const itemKey = useParams().itemKey ?? '';
  const [data, setData] = useState<ConversationData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'older' | 'newer' | null>(null);
  const [tick, setTick] = useState(0);
  const scrolled = useRef('');

  useEffect(() => {
    let current = true;
    setData(null);
    setError(null);
    get<ConversationData>(`${conversationAroundApi(itemKey)}${query({ limit: PAGE_SIZE })}`).then(
      (page) => current && setData(page),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [itemKey, tick]);

  // The hit is brought into view once, when the page first shows it.
  useEffect(() => {
    if (!data || scrolled.current === itemKey) return;
    scrolled.current = itemKey;
    document.getElementById('transcript-anchor')?.scrollIntoView({ block: 'center' });
  }, [data, itemKey]);

  const load = useCallback(
    async (direction: 'older' | 'newer') => {
      if (!data || busy) return;
      const cursor = direction === 'older' ? data.older : data.newer;
      if (!cursor) return;
      setBusy(direction);
      setError(null);
      try {
        const params = direction === 'older' ? { before: cursor } : { after: cursor };
        const page = await get<ConversationData>(
          `${conversationPageApi(data.connectorId, data.conversation.id)}${query({ ...params, limit: PAGE_SIZE })}`,
        );
        setData((prev) =>
          prev === null
            ? prev
            : direction === 'older'
              ? { ...prev, messages: [...page.messages, ...prev.messages], older: page.older }
              : { ...prev, messages: [...prev.messages, ...page.messages], newer: page.newer },
        );
      } catch (e) {
        setError(e);
      } finally {
        setBusy(null);
      }
    },
    [data, busy],
  );

  const title = data ? data.conversation.name || data.conversation.id : t('conversation.title');
  return (
    <Page
      title={title}
      subtitle={data ? t(data.conversation.kind === 'group' ? 'conversation.group' : 'conversation.single') : null}
      testId="conversation-page"
    >
      <ErrorBanner error={error} onRetry={data ? undefined : () => setTick((n) => n + 1)} />
      {!data ? (
        error ? null : (
          <Loading label={t('conversation.loading')} />
        )
      ) : (
        <>
          <div className="transcript-more">
            {data.older ? (
              <Button onClick={() => void load('older')} busy={busy === 'older'} testId="conversation-older">
                {t('conversation.older')}
              </Button>
            ) : (
              <span className="muted" data-testid="conversation-start">
                {t('conversation.start')}
              </span>
            )}
          </div>
          <Transcript messages={data.messages} anchor={data.anchor} />
          <div className="transcript-more">
            {data.newer ? (
              <Button onClick={() => void load('newer')} busy={busy === 'newer'} testId="conversation-newer">
                {t('conversation.newer')}
              </Button>
            ) : (
              <span className="muted" data-testid="conversation-end">
                {t('conversation.end')}
              </span>
            )}
          </div>
          <p className="muted">{t('conversation.auditNote')}</p>
        </>
      )}
    </Page>
  );
}
