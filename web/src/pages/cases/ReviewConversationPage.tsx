/**
 * /review/:setId/items/:itemKey: the conversation of an item of a review set, opened around it
 * through the set (so a reviewer needs only the set, and the view is audited with it). Wider
 * paging and the item itself are on the conversation page, which needs mailbox access.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { ConversationPage as ConversationData } from '../../../../src/server/contract.js';
import { get, query } from '../../api.js';
import { ErrorBanner, Loading, Page } from '../../components/index.js';
import { Transcript } from '../search/Transcript.js';
import '../search/search.css';
import { reviewRoute, reviewSetApi } from './types.js';

const AROUND = 40;

export function ReviewConversationPage() {
  const { t } = useTranslation('cases');
  const params = useParams();
  const setId = Number(params['setId']);
  const itemKey = params['itemKey'] ?? '';
  const [data, setData] = useState<ConversationData | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    setData(null);
    get<ConversationData>(
      `${reviewSetApi(setId)}/items/${encodeURIComponent(itemKey)}/conversation${query({ limit: AROUND })}`,
    ).then(
      (page) => current && setData(page),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [setId, itemKey]);
  useEffect(() => {
    if (data) document.getElementById('transcript-anchor')?.scrollIntoView({ block: 'center' });
  }, [data]);
  return (
    <Page
      title={data ? data.conversation.name || data.conversation.id : t('myReview.conversation')}
      actions={
        <Link to={reviewRoute(setId)} data-testid="review-conversation-back">
          {t('myReview.backToSet')}
        </Link>
      }
      testId="conversation-page"
    >
      <ErrorBanner error={error} />
      {data ? <Transcript messages={data.messages} anchor={data.anchor} /> : error ? null : <Loading />}
    </Page>
  );
}
