/**
 * The audit page's filters as the URL keeps them (dates as the reader's calendar days) and as
 * the API takes them (milliseconds, `from` inclusive and `to` exclusive): a "to" day includes
 * that whole day, so the API gets the start of the day after it.
 */

export interface AuditFilters {
  actor: string;
  /** exact, or a prefix ending in '.*' */
  action: string;
  /** YYYY-MM-DD in local time, or '' */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = { actor: '', action: '', from: '', to: '' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight at the start of a YYYY-MM-DD day; undefined for '' or a malformed day. */
export function startOfDay(day: string, offsetDays = 0): number | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d + offsetDays);
  // new Date rolls 2024-02-31 over into March; a day that does not exist is no filter at all.
  if (offsetDays === 0 && (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d)) {
    return undefined;
  }
  return date.getTime();
}

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  return {
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

export function filtersToParams(f: AuditFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f) as [keyof AuditFilters, string][]) if (v.trim()) p.set(k, v.trim());
  return p;
}

/** The API's query values; empty filters are left out. */
export function toApiFilter(f: AuditFilters): { actor?: string; action?: string; from?: number; to?: number } {
  const from = startOfDay(f.from);
  const to = startOfDay(f.to) === undefined ? undefined : startOfDay(f.to, 1);
  return {
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** What is wrong with the filters, as a catalogue key, or null when they can be applied. */
export function filterProblem(f: AuditFilters): 'badFrom' | 'badTo' | 'fromAfterTo' | null {
  if (f.from && startOfDay(f.from) === undefined) return 'badFrom';
  if (f.to && startOfDay(f.to) === undefined) return 'badTo';
  const api = toApiFilter(f);
  if (api.from !== undefined && api.to !== undefined && api.from >= api.to) return 'fromAfterTo';
  return null;
}
