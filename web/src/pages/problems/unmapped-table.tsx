/**
 * The people who hold messages back because they map to no mailbox, each with an inline form
 * that adds one mapping row. The server re-evaluates the held records and starts a run, so the
 * confirmation can promise delivery on that run.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProblemActionResult, UnmappedPersonInfo } from '../../../../src/server/contract.js';
import { post } from '../../api.js';
import { Button, ErrorBanner, Table, useFormat, type Column } from '../../components/index.js';
import { tk } from '../../i18n-keys.js';

const KIND_LABEL: Record<string, string> = {
  internal: tk('problems:kinds.internal'),
  external: tk('problems:kinds.external'),
  robot: tk('problems:kinds.robot'),
};

/** Loose on purpose: the server validates the address; this only catches a slip before the request. */
export function looksLikeAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

export interface AddedMapping {
  participant: string;
  mailbox: string;
  released: number;
}

export interface UnmappedTableProps {
  people: readonly UnmappedPersonInfo[];
  canWrite: boolean;
  onAdded: (added: AddedMapping) => void;
}

export function UnmappedTable({ people, canWrite, onAdded }: UnmappedTableProps) {
  const { t } = useTranslation('problems');
  const fmt = useFormat();
  if (people.length === 0) {
    return (
      <p className="empty" data-testid="unmapped-empty">
        {t('unmapped.empty')}
      </p>
    );
  }
  const multiConnector = new Set(people.map((p) => p.connectorId)).size > 1;
  const columns: Column<UnmappedPersonInfo>[] = [
    { key: 'participant', header: t('unmapped.participant'), render: (p) => <code>{p.participant}</code> },
    { key: 'name', header: t('unmapped.name'), render: (p) => p.name ?? '—' },
    {
      key: 'kind',
      header: t('unmapped.kind'),
      render: (p) => {
        if (!p.kind) return '—';
        const label = KIND_LABEL[p.kind];
        return label ? t(label) : p.kind;
      },
    },
    ...(multiConnector
      ? [{ key: 'connector', header: t('unmapped.connector'), render: (p: UnmappedPersonInfo) => p.connectorId }]
      : []),
    { key: 'held', header: t('unmapped.heldItems'), className: 'num', render: (p) => fmt.number(p.heldItems) },
    ...(canWrite
      ? [
          {
            key: 'mapping',
            header: t('unmapped.mailbox'),
            render: (p: UnmappedPersonInfo) => <MappingForm person={p} onAdded={onAdded} />,
          },
        ]
      : []),
  ];
  return (
    <Table
      columns={columns}
      rows={people}
      rowKey={(p) => `${p.connectorId}\u0000${p.participant}`}
      rowTestId={(p) => `unmapped-row-${p.participant}`}
    />
  );
}

function MappingForm({ person, onAdded }: { person: UnmappedPersonInfo; onAdded: (added: AddedMapping) => void }) {
  const { t } = useTranslation('problems');
  const [mailbox, setMailbox] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const address = mailbox.trim();
    if (!looksLikeAddress(address)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    setError(null);
    try {
      const result = await post<ProblemActionResult>(
        `/api/connectors/${encodeURIComponent(person.connectorId)}/mappings`,
        { participant: person.participant, mailbox: address },
      );
      setMailbox('');
      onAdded({ participant: person.participant, mailbox: address, released: result.released });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="mapping-form" onSubmit={(e) => void submit(e)} noValidate>
      <input
        type="email"
        value={mailbox}
        onChange={(e) => setMailbox(e.target.value)}
        placeholder={t('unmapped.mailboxPlaceholder')}
        aria-label={t('unmapped.mailboxFor', { participant: person.name ?? person.participant })}
        aria-invalid={invalid || undefined}
        data-testid={`unmapped-mailbox-${person.participant}`}
      />
      <Button type="submit" variant="primary" busy={busy} testId={`unmapped-add-${person.participant}`}>
        {busy ? t('unmapped.adding') : t('unmapped.add')}
      </Button>
      {invalid ? <span className="field-error">{t('unmapped.invalidMailbox')}</span> : null}
      <ErrorBanner error={error} testId={`unmapped-error-${person.participant}`} />
    </form>
  );
}
