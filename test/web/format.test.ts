// The console's formatters in both languages (Node has the full ICU data the browsers have).
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatRelative } from '../../web/src/components/format.js';

describe('formatters', () => {
  it('formats sizes in decimal units and numbers with grouping', () => {
    expect(formatBytes(999, 'en')).toBe('999 bytes');
    expect(formatBytes(999, 'zh-CN')).toBe('999字节');
    expect(formatBytes(1_500_000, 'en')).toBe('1.5 MB');
    expect(formatNumber(12345, 'en')).toBe('12,345');
    expect(formatNumber(null, 'en')).toBe('—');
  });

  it('shows the two largest units of a duration, in the reader’s language', () => {
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000 + 7000, 'en')).toBe('2 hr 5 min');
    expect(formatDuration(3 * 86_400_000, 'zh-CN')).toBe('3天');
    expect(formatDuration(400, 'en')).toBe('0 sec');
  });

  it('says when something happens relative to now', () => {
    expect(formatRelative(60_000, 0, 'en')).toBe('in 1 minute');
    expect(formatRelative(0, 120_000, 'zh-CN')).toBe('2分钟前');
  });
});
