/**
 * How long the audit log itself is kept, under the page's title: forever (the default), or the
 * configured days beside the longest retention policy it may never undercut, the last prune and
 * the anchor the chain goes on from, and a warning while the setting is refused.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditRetentionStatus } from '../../../../src/server/contract.js';
import { get } from '../../api.js';
import { Notice, useFormat } from '../../components/index.js';

export function RetentionNote() {
  const { t } = useTranslation('audit');
  const fmt = useFormat();
  const [s, setS] = useState<AuditRetentionStatus | null>(null);
  useEffect(() => {
    // The note is an aside: the log itself still shows if it cannot be read.
    get<AuditRetentionStatus>('/api/audit/retention').then(setS, () => setS(null));
  }, []);
  if (!s) return null;
  const days = (n: number) => t('period.days', { count: n });
  return (
    <div className="audit-retention" data-testid="audit-retention">
      <p>
        {s.settingDays === null
          ? t('retention.forever')
          : t('retention.days', {
              period: days(s.settingDays),
              longest: s.longestPolicy ? days(s.longestPolicy.days) : t('retention.noPolicy'),
            })}
        {s.lastPrune
          ? ` ${t('retention.pruned', {
              throughId: s.lastPrune.throughId,
              events: fmt.number(s.lastPrune.events),
              before: fmt.dateTime(s.lastPrune.beforeAt),
              at: fmt.dateTime(s.lastPrune.at),
            })}`
          : ''}
      </p>
      {s.problem && s.settingDays !== null && s.longestPolicy ? (
        <Notice tone="warning" testId="audit-retention-problem">
          {t('retention.tooShort', {
            setting: s.settingDays,
            policy: s.longestPolicy.name,
            days: s.longestPolicy.days,
          })}
        </Notice>
      ) : null}
    </div>
  );
}
