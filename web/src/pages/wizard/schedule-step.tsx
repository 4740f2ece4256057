/**
 * Step 5: how often the connector runs. Short intervals keep the archive close to real time;
 * the source keeps messages for 5 days only, so the interval is capped at a day.
 */
import { useTranslation } from 'react-i18next';
import { Field, useFormat } from '../../components/index.js';
import { MAX_INTERVAL_SECONDS, type StepProps } from './draft.js';

export function ScheduleStep({ draft, update }: StepProps) {
  const { t } = useTranslation('wizard');
  const f = useFormat();
  const seconds = Number(draft.intervalSeconds);
  return (
    <div className="step">
      <Field label={t('schedule.interval')} hint={t('schedule.hint', { max: MAX_INTERVAL_SECONDS })}>
        <input
          data-testid="interval-seconds"
          type="number"
          min={1}
          max={MAX_INTERVAL_SECONDS}
          value={draft.intervalSeconds}
          onChange={(e) => {
            const intervalSeconds = e.target.value;
            update((d) => ({ ...d, intervalSeconds }));
          }}
        />
      </Field>
      {Number.isFinite(seconds) && seconds > 0 ? (
        <p className="muted" data-testid="interval-readable">
          {t('schedule.every', { duration: f.duration(seconds * 1000) })}
        </p>
      ) : null}
    </div>
  );
}
