/**
 * Dates, numbers, sizes and durations in the reader's language, through Intl only (no date
 * library: Intl covers what the console shows). Pure functions of the language; use-format.ts
 * binds them to the current one.
 */

const DASH = '—';

export function formatDateTime(ms: number | null | undefined, lng: string): string {
  if (ms === null || ms === undefined) return DASH;
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'medium' }).format(ms);
}

export function formatDate(ms: number | null | undefined, lng: string): string {
  if (ms === null || ms === undefined) return DASH;
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(ms);
}

export function formatNumber(n: number | null | undefined, lng: string): string {
  if (n === null || n === undefined) return DASH;
  return new Intl.NumberFormat(lng).format(n);
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** Decimal units (1 kB = 1000 bytes), as Intl names them. */
export function formatBytes(n: number | null | undefined, lng: string): string {
  if (n === null || n === undefined) return DASH;
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(lng, {
    style: 'unit',
    unit: BYTE_UNITS[unit],
    // "999 bytes" reads better than the short form "999 byte"; larger units are abbreviated.
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

const DURATION_UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/** The two largest non-zero units: "2 hr, 5 min" / "2小时5分钟"; under a second shows "0 sec". */
export function formatDuration(ms: number | null | undefined, lng: string): string {
  if (ms === null || ms === undefined) return DASH;
  let rest = Math.max(0, Math.round(Math.abs(ms)));
  const parts: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (parts.length === 0 && unit === 'second')) {
      parts.push(new Intl.NumberFormat(lng, { style: 'unit', unit, unitDisplay: 'short' }).format(count));
    }
    if (parts.length === 2) break;
  }
  return new Intl.ListFormat(lng, { style: 'narrow', type: 'unit' }).format(parts);
}

/** "in 45 seconds", "3 minutes ago" relative to `now`. */
export function formatRelative(ms: number | null | undefined, now: number, lng: string): string {
  if (ms === null || ms === undefined) return DASH;
  const diff = ms - now;
  const rtf = new Intl.RelativeTimeFormat(lng, { numeric: 'auto' });
  for (const [unit, size] of DURATION_UNITS) {
    if (Math.abs(diff) >= size) return rtf.format(Math.round(diff / size), unit);
  }
  return rtf.format(Math.round(diff / 1000), 'second');
}
