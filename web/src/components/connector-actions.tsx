/**
 * Run now / Pause / Resume for one connector, shown in the list and on its page. Pause and resume
 * answer with the updated summary, which the caller puts on screen; a run request is accepted
 * (202) and its progress then arrives over the live events.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorSummary } from '../../../src/server/contract.js';
import { post } from '../api.js';
import { Button } from './ui.js';

export interface ConnectorActionsProps {
  connector: ConnectorSummary;
  onUpdated: (summary: ConnectorSummary) => void;
  onRunRequested?: (connectorId: string) => void;
  onError: (error: unknown) => void;
}

export function ConnectorActions({ connector, onUpdated, onRunRequested, onError }: ConnectorActionsProps) {
  const { t } = useTranslation('connectors');
  const [busy, setBusy] = useState<'run' | 'pause' | 'resume' | null>(null);
  const id = connector.id;
  const base = `/api/connectors/${encodeURIComponent(id)}`;
  const paused = connector.state === 'paused' || connector.state === 'paused-credentials';

  async function act(kind: 'run' | 'pause' | 'resume') {
    setBusy(kind);
    onError(null);
    try {
      if (kind === 'run') {
        await post<Record<string, never>>(`${base}/run`);
        onRunRequested?.(id);
      } else {
        onUpdated(await post<ConnectorSummary>(`${base}/${kind}`));
      }
    } catch (e) {
      onError(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <span className="actions">
      <Button
        testId={`run-now-${id}`}
        busy={busy === 'run'}
        disabled={paused || connector.state === 'running'}
        onClick={() => void act('run')}
      >
        {t('actions.runNow')}
      </Button>
      {paused ? (
        <Button testId={`resume-${id}`} busy={busy === 'resume'} onClick={() => void act('resume')}>
          {t('actions.resume')}
        </Button>
      ) : (
        <Button testId={`pause-${id}`} busy={busy === 'pause'} onClick={() => void act('pause')}>
          {t('actions.pause')}
        </Button>
      )}
    </span>
  );
}
