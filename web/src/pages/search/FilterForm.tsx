/**
 * The filters as form fields. Each field reads its value from the query and writes it back
 * into the query (query-filters.ts): the form is another way to type the same query.
 */
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/index.js';
import { tk } from '../../i18n-keys.js';
import { MSG_TYPE_LABEL } from '../mailboxes/msg-types.js';
import {
  filterValue,
  FLAG_FILTERS,
  hasFlag,
  withFilter,
  withFlag,
  type FlagFilter,
  type ValueFilter,
} from './query-filters.js';

const TEXT_FIELDS: { field: ValueFilter; label: string; hint: string }[] = [
  { field: 'from', label: tk('search:filters.from'), hint: tk('search:filters.personHint') },
  { field: 'to', label: tk('search:filters.to'), hint: tk('search:filters.personHint') },
  { field: 'participant', label: tk('search:filters.participant'), hint: tk('search:filters.personHint') },
  { field: 'conversation', label: tk('search:filters.conversation'), hint: tk('search:filters.conversationHint') },
  { field: 'mailbox', label: tk('search:filters.mailbox'), hint: tk('search:filters.mailboxHint') },
  { field: 'connector', label: tk('search:filters.connector'), hint: tk('search:filters.connectorHint') },
];

/** after: is inclusive, before: exclusive; both UTC dates unless the query gives a time and offset. */
const DATE_FIELDS: { field: ValueFilter; label: string; hint: string }[] = [
  { field: 'after', label: tk('search:filters.after'), hint: tk('search:filters.afterHint') },
  { field: 'before', label: tk('search:filters.before'), hint: tk('search:filters.beforeHint') },
];

const FLAG_LABEL: Record<FlagFilter, string> = {
  attachment: tk('search:filters.hasAttachment'),
  recalled: tk('search:filters.isRecalled'),
  external: tk('search:filters.isExternal'),
};

export function FilterForm({ query, onChange }: { query: string; onChange: (q: string) => void }) {
  const { t } = useTranslation('search');
  const type = filterValue(query, 'type');
  return (
    <fieldset className="search-filters" data-testid="search-filters">
      <legend>{t('filters.title')}</legend>
      <div className="search-filter-grid">
        {TEXT_FIELDS.map((f) => (
          <Field key={f.field} label={t(f.label)} hint={t(f.hint)}>
            <input
              type="text"
              value={filterValue(query, f.field)}
              onChange={(e) => onChange(withFilter(query, f.field, e.target.value))}
              autoComplete="off"
              data-testid={`search-filter-${f.field}`}
            />
          </Field>
        ))}
        <Field label={t('filters.type')}>
          <select
            value={type}
            onChange={(e) => onChange(withFilter(query, 'type', e.target.value))}
            data-testid="search-filter-type"
          >
            <option value="">{t('filters.anyType')}</option>
            {Object.entries(MSG_TYPE_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {t(label)}
              </option>
            ))}
          </select>
        </Field>
        {DATE_FIELDS.map((f) => (
          <Field key={f.field} label={t(f.label)} hint={t(f.hint)}>
            <input
              type="date"
              value={filterValue(query, f.field)}
              onChange={(e) => onChange(withFilter(query, f.field, e.target.value))}
              data-testid={`search-filter-${f.field}`}
            />
          </Field>
        ))}
      </div>
      <div className="search-flags">
        {(Object.keys(FLAG_FILTERS) as FlagFilter[]).map((flag) => (
          <label key={flag} className="checkbox">
            <input
              type="checkbox"
              checked={hasFlag(query, flag)}
              onChange={(e) => onChange(withFlag(query, flag, e.target.checked))}
              data-testid={`search-flag-${flag}`}
            />{' '}
            {t(FLAG_LABEL[flag])}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
