/**
 * The query language in brief, with examples in both languages: the same syntax the CLI's
 * `search` command and the API take (the README has the full description).
 */
import { useTranslation } from 'react-i18next';
import { tk } from '../../i18n-keys.js';

const EXAMPLES = [
  { q: '保本', key: tk('search:syntax.exCjk') },
  { q: 'guaranteed return', key: tk('search:syntax.exWords') },
  { q: '"fixed income"', key: tk('search:syntax.exPhrase') },
  { q: '保本 OR 保息', key: tk('search:syntax.exOr') },
  { q: 'contract -draft', key: tk('search:syntax.exNot') },
  { q: '(保本 OR guarantee) from:zhangsan', key: tk('search:syntax.exGroup') },
  { q: 'after:2025-03-01 before:2025-04-01 is:external', key: tk('search:syntax.exDates') },
  { q: 'has:attachment type:file 报价', key: tk('search:syntax.exFiles') },
] as const;

export function SyntaxHelp() {
  const { t } = useTranslation('search');
  return (
    <details className="syntax-help" data-testid="search-syntax">
      <summary>{t('syntax.title')}</summary>
      <p>{t('syntax.intro')}</p>
      <table className="syntax-table">
        <tbody>
          {EXAMPLES.map((e) => (
            <tr key={e.q}>
              <td>
                <code>{e.q}</code>
              </td>
              <td>{t(e.key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('syntax.filters')}</p>
    </details>
  );
}
