/**
 * Locale-free formatting of times, durations, sizes and money for the rendered bodies.
 * Everything here is hand-written on purpose: `Intl` and `toLocaleString` output depends on
 * the ICU data shipped with each Node build, and rendered bytes must not change between builds.
 */

/** Milliseconds in an hour, for the fixed Asia/Shanghai offset. */
const HOUR_MS = 3_600_000;

/**
 * China Standard Time has been UTC+8 without daylight saving since 1991, long before WeCom's
 * archive existed, so a fixed offset gives the same answer as the tz database for every
 * message we can receive, without depending on the ICU data of the running Node build.
 */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Latest instant RFC 5322 can express with a four-digit year (9999-12-31T23:59:59.999Z). */
export const MAX_TIME_MS = 253_402_300_799_999;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2024-03-05 14:03:07` for the given instant shifted by `offsetMs`. */
function isoLike(ms: number, offsetMs: number): string {
  const d = new Date(ms + offsetMs);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** RFC 5322 section 3.3 date-time in UTC: `Tue, 05 Mar 2024 14:03:07 +0000`. */
export function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}

/** `2024-03-05 14:03:07 UTC (2024-03-05 22:03:07 Asia/Shanghai)`: what a reviewer in either place needs. */
export function bothZones(ms: number): string {
  return `${isoLike(ms, 0)} UTC (${isoLike(ms, SHANGHAI_OFFSET_MS)} Asia/Shanghai)`;
}

/** The UTC part alone, for the compact times of nested items and call events. */
export function utcTime(ms: number): string {
  return `${isoLike(ms, 0)} UTC`;
}

/** The Asia/Shanghai part alone. */
export function shanghaiTime(ms: number): string {
  return `${isoLike(ms, SHANGHAI_OFFSET_MS)} Asia/Shanghai`;
}

/**
 * WeCom gives some times in seconds (meeting, calendar, call events) and others in
 * milliseconds (msgtime, consent times), and the documentation is not consistent about which.
 * 1e11 seconds is the year 5138 while 1e11 milliseconds is 1973, so the magnitude decides.
 */
export function toMs(time: number): number {
  return Math.abs(time) < 1e11 ? time * 1000 : time;
}

/** A time field that may be absent or outside what a date can show. */
export function optionalTime(time: number | undefined): string | undefined {
  if (time === undefined || !Number.isFinite(time)) return undefined;
  const ms = toMs(time);
  if (ms < 0 || ms > MAX_TIME_MS) return `${time} (not a valid time)`;
  return bothZones(ms);
}

/** `45s`, `2m 05s`, `1h 02m 05s`: the call-log style reviewers know from phones. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return `${seconds}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${pad2(m)}m ${pad2(s)}s`;
  if (m > 0) return `${m}m ${pad2(s)}s`;
  return `${s}s`;
}

/** `1234567` -> `1,234,567` without a locale. */
export function groupDigits(n: number): string {
  const negative = n < 0;
  const digits = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return negative ? `-${out}` : out;
}

/** `1.2 MB (1,234,567 bytes)`; small sizes stay in bytes. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const exact = `${groupDigits(bytes)} bytes`;
  if (Math.abs(bytes) < 1024) return exact;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]} (${exact})`;
}

/** Fen (1/100 yuan) as `¥12.34`; integer arithmetic so no float rounding shows. */
export function formatYuan(fen: number): string {
  if (!Number.isFinite(fen)) return `${fen} fen`;
  const negative = fen < 0;
  const abs = Math.round(Math.abs(fen));
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${negative ? '-' : ''}¥${groupDigits(yuan)}.${pad2(cents)}`;
}

/** Collapse whitespace and cut to `max` code points with an ellipsis, for subjects. */
export function snippet(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- controls (C0, DEL, C1) never belong in a subject
  const flat = text.replace(/[\s\x00-\x1f\x7f-\x9f]+/g, ' ').trim();
  // Code points, not UTF-16 units, so an emoji is never cut in half.
  if (flat.length <= max) return flat;
  const chars = Array.from(flat.slice(0, 2 * max + 2));
  if (chars.length <= max) return flat;
  return `${chars.slice(0, max).join('').trimEnd()}…`;
}
