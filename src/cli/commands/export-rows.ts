/**
 * The table of exports that `case show` prints for one case and `export list` for the whole
 * archive: one row per export, the console's and the `export` command's alike.
 */
import { writerHost, type ListedExport } from '../../compliance/export/index.js';
import { table } from '../io.js';

const setSource = (id: number, tags?: string[]) => `review set ${id}${tags?.length ? ` tags ${tags.join(',')}` : ''}`;

/** What the export covers, within its case. */
function exportSource(e: ListedExport): string {
  if (e.via === 'console') {
    const s = e.source;
    if ('savedSearchId' in s) return `saved search ${s.savedSearchId}${s.query !== undefined ? `: ${s.query}` : ''}`;
    return setSource(s.reviewSetId, s.tags);
  }
  const s = e.source;
  if (s.kind === 'query') return `query ${s.query}`;
  if (s.kind === 'case') return 'what the holds preserve';
  return setSource(s.reviewSetId, s.tags);
}

const count = (e: ListedExport, k: 'items' | 'files' | 'bytes') => (e.counts ? String(e.counts[k]) : '-');

/**
 * `case`: one case's, which `case show` names above the table. `archive`: of any case or none,
 * for `export list`, with the case in WHAT, the files' count and size, and the host a command
 * export's directory is on (a console export's is the console's data directory). A directory no
 * longer there is marked "(gone)".
 */
export function exportsTable(exports: ListedExport[], scope: 'case' | 'archive'): string {
  const all = scope === 'archive';
  return table([
    [
      'STARTED',
      'VIA',
      'FORMAT',
      'STATUS',
      'ITEMS',
      ...(all ? ['FILES', 'BYTES'] : []),
      'BY',
      'WHAT',
      ...(all ? ['HOST'] : []),
      'DIRECTORY',
    ],
    ...exports.map((e) => [
      e.createdAt,
      e.via,
      e.format,
      e.status,
      count(e, 'items'),
      ...(all ? [count(e, 'files'), count(e, 'bytes')] : []),
      e.createdBy,
      all && e.caseId !== null ? `case ${e.caseId}, ${exportSource(e)}` : exportSource(e),
      ...(all ? [(e.via === 'cli' ? writerHost(e) : null) ?? '-'] : []),
      e.filesHere === false ? `${e.directory} (gone)` : e.directory,
    ]),
  ]);
}
