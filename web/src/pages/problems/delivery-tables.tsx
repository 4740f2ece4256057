/**
 * The problems page's two delivery lists that are not failures: partial copies (each
 * attachment left out of a mailbox copy, with why: too large for the mailbox, or a file type
 * the mail service refuses) and deliveries paused by a mail service's limit until it clears.
 * The archive keeps every file; these lists say what a mailbox copy lacks and what waits.
 */
import { useTranslation } from 'react-i18next';
import type { PartialDeliveryInfo, PausedDeliveryInfo } from '../../../../src/server/contract.js';
import { Table, useFormat, type Column } from '../../components/index.js';
import { tk } from '../../i18n-keys.js';

const WHY = {
  'too-large': tk('problems:partial.why.too-large'),
  'blocked-type': tk('problems:partial.why.blocked-type'),
} as const;

interface PartialRow {
  key: string;
  delivery: PartialDeliveryInfo;
  attachment: PartialDeliveryInfo['attachments'][number];
}

export function PartialDeliveries({ rows }: { rows: readonly PartialDeliveryInfo[] }) {
  const { t } = useTranslation('problems');
  const fmt = useFormat();
  const lines: PartialRow[] = rows.flatMap((d) =>
    d.attachments.map((attachment, i) => ({
      key: `${d.connectorId}:${d.destinationId}:${d.itemKey}:${d.mailbox}:${i}`,
      delivery: d,
      attachment,
    })),
  );
  const columns: Column<PartialRow>[] = [
    { key: 'at', header: t('examples.time'), render: (r) => fmt.dateTime(r.delivery.at) },
    { key: 'mailbox', header: t('examples.mailbox'), render: (r) => <code>{r.delivery.mailbox}</code> },
    { key: 'destination', header: t('partial.destination'), render: (r) => r.delivery.destinationId },
    { key: 'item', header: t('partial.item'), render: (r) => <code>{r.delivery.itemId}</code> },
    {
      key: 'attachment',
      header: t('partial.attachment'),
      render: (r) => <span title={`SHA-256 ${r.attachment.sha256}`}>{r.attachment.name}</span>,
    },
    { key: 'size', header: t('partial.size'), className: 'num', render: (r) => fmt.bytes(r.attachment.size) },
    {
      key: 'why',
      header: t('partial.reason'),
      render: (r) => <span data-reason={r.attachment.reason}>{t(WHY[r.attachment.reason] ?? WHY['too-large'])}</span>,
    },
  ];
  return (
    <Table
      testId="partial-deliveries"
      columns={columns}
      rows={lines}
      rowKey={(r) => r.key}
      rowTestId={(r) => `partial-${r.attachment.reason}`}
      empty={t('partial.empty')}
    />
  );
}

export function PausedDeliveries({ rows }: { rows: readonly PausedDeliveryInfo[] }) {
  const { t } = useTranslation('problems');
  const fmt = useFormat();
  const columns: Column<PausedDeliveryInfo>[] = [
    { key: 'destination', header: t('partial.destination'), render: (p) => p.destinationId },
    {
      key: 'mailbox',
      header: t('examples.mailbox'),
      render: (p) => (p.mailbox === null ? <strong>{t('paused.everyMailbox')}</strong> : <code>{p.mailbox}</code>),
    },
    { key: 'deliveries', header: t('paused.deliveries'), className: 'num', render: (p) => fmt.number(p.deliveries) },
    { key: 'until', header: t('paused.until'), render: (p) => fmt.dateTime(p.until) },
    {
      key: 'why',
      header: t('partial.reason'),
      render: (p) => (
        <span className="problem-detail" title={p.detail}>
          {p.mailbox === null ? t('paused.why.destination') : t('paused.why.mailbox')}
        </span>
      ),
    },
  ];
  return (
    <Table
      testId="paused-deliveries"
      columns={columns}
      rows={rows}
      rowKey={(p) => `${p.connectorId}:${p.destinationId}:${p.mailbox ?? '*'}`}
      rowTestId={(p) => (p.mailbox === null ? 'paused-destination' : 'paused-mailbox')}
      empty={t('paused.empty')}
    />
  );
}
