/**
 * The search page's filter form reads and writes the query itself: each field is a
 * `field:value` term of the query string (the same language the CLI and the API take), so the
 * form and the box can never disagree and a query typed by hand fills the form. Only terms at
 * the top level are the form's: a negated `-from:x` or one inside parentheses is left as typed.
 */

/** Filters with a free value, in the order the form shows them. */
export const VALUE_FILTERS = [
  'from',
  'to',
  'participant',
  'conversation',
  'type',
  'mailbox',
  'connector',
  'after',
  'before',
] as const;
export type ValueFilter = (typeof VALUE_FILTERS)[number];

/** Filters that are on or off. */
export const FLAG_FILTERS = { attachment: 'has:attachment', recalled: 'is:recalled', external: 'is:external' } as const;
export type FlagFilter = keyof typeof FLAG_FILTERS;

/** Top-level occurrences of `field:value` / `field:"quoted value"` (not negated, not in a group). */
function occurrences(q: string, field: string): { start: number; end: number; value: string }[] {
  const out: { start: number; end: number; value: string }[] = [];
  const re = new RegExp(`(^|[\\s])${field}:("([^"]*)"|[^\\s()"]*)`, 'gi');
  let depth = 0;
  let scanned = 0;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    const start = m.index + (m[1]?.length ?? 0);
    for (; scanned < start; scanned++) {
      if (q[scanned] === '(') depth++;
      else if (q[scanned] === ')') depth = Math.max(0, depth - 1);
    }
    if (depth === 0) out.push({ start, end: m.index + m[0].length, value: m[3] ?? m[2] ?? '' });
  }
  return out;
}

/** The value of the first top-level `field:` term, or ''. */
export function filterValue(q: string, field: ValueFilter): string {
  return occurrences(q, field)[0]?.value ?? '';
}

function quoteValue(v: string): string {
  const clean = v.replace(/"/g, '').trim();
  return /[\s()]/.test(clean) || clean.startsWith('-') ? `"${clean}"` : clean;
}

function without(q: string, spans: { start: number; end: number }[]): string {
  let out = q;
  for (const s of [...spans].sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + out.slice(s.end);
  return out.replace(/\s{2,}/g, ' ').trim();
}

/** The query with `field:` set to `value` (replacing the form's earlier one), or removed when empty. */
export function withFilter(q: string, field: ValueFilter, value: string): string {
  const rest = without(q, occurrences(q, field));
  const v = value.trim() ? quoteValue(value) : '';
  return v ? `${rest} ${field}:${v}`.trim() : rest;
}

function flagParts(flag: FlagFilter): [string, string] {
  const [field, value] = FLAG_FILTERS[flag].split(':') as [string, string];
  return [field, value];
}

export function hasFlag(q: string, flag: FlagFilter): boolean {
  const [field, value] = flagParts(flag);
  return occurrences(q, field).some((o) => o.value.toLowerCase() === value);
}

export function withFlag(q: string, flag: FlagFilter, on: boolean): string {
  const [field, value] = flagParts(flag);
  const rest = without(
    q,
    occurrences(q, field).filter((o) => o.value.toLowerCase() === value),
  );
  return on ? `${rest} ${FLAG_FILTERS[flag]}`.trim() : rest;
}
