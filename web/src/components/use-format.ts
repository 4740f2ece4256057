/**
 * The formatters of format.ts bound to the console's current language, so that components
 * re-render in the new language when the header's switch changes it.
 */
import { useTranslation } from 'react-i18next';
import { formatBytes, formatDate, formatDateTime, formatDuration, formatNumber, formatRelative } from './format.js';

export interface Formatters {
  lng: string;
  dateTime(ms: number | null | undefined): string;
  date(ms: number | null | undefined): string;
  number(n: number | null | undefined): string;
  bytes(n: number | null | undefined): string;
  duration(ms: number | null | undefined): string;
  relative(ms: number | null | undefined, now?: number): string;
}

/** The formatters above, bound to the current language. */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? i18n.language ?? 'en';
  return {
    lng,
    dateTime: (ms) => formatDateTime(ms, lng),
    date: (ms) => formatDate(ms, lng),
    number: (n) => formatNumber(n, lng),
    bytes: (n) => formatBytes(n, lng),
    duration: (ms) => formatDuration(ms, lng),
    relative: (ms, now = Date.now()) => formatRelative(ms, now, lng),
  };
}
