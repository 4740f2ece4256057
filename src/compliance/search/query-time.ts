/**
 * Times in after:/before: filters: an ISO 8601 date (midnight UTC) or date-time, UTC unless it
 * carries an offset. Impossible dates (2025-02-30) are refused rather than rolled over.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** ms UTC, or undefined when the text is not such a time. */
export function parseQueryTime(text: string): number | undefined {
  const d = DATE.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    return validDay(y, m, day) ? Date.UTC(y, m - 1, day) : undefined;
  }
  const t = DATE_TIME.exec(text);
  if (!t) return undefined;
  const [y, m, day, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDay(y, m, day) || hh > 23 || mm > 59 || ss > 59) return undefined;
  const ms = t[7] ? Math.floor(Number(t[7]) * 1000) : 0;
  let offsetMin = 0;
  const zone = t[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const oh = Number(z[2]);
    const om = Number(z[3]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, m - 1, day, hh, mm, ss, ms) - offsetMin * 60_000;
}
