import { describe, expect, it } from 'vitest';
import {
  bothZones,
  formatDuration,
  formatSize,
  formatYuan,
  groupDigits,
  optionalTime,
  rfc5322Date,
  snippet,
  toMs,
} from './format.js';

describe('format', () => {
  it('writes RFC 5322 dates in UTC', () => {
    expect(rfc5322Date(Date.UTC(2024, 2, 5, 14, 3, 7, 999))).toBe('Tue, 05 Mar 2024 14:03:07 +0000');
    expect(rfc5322Date(0)).toBe('Thu, 01 Jan 1970 00:00:00 +0000');
  });

  it('shows UTC and Asia/Shanghai (UTC+8) across a date change', () => {
    expect(bothZones(Date.UTC(2024, 11, 31, 20, 0, 0))).toBe(
      '2024-12-31 20:00:00 UTC (2025-01-01 04:00:00 Asia/Shanghai)',
    );
  });

  it('reads seconds and milliseconds by magnitude', () => {
    expect(toMs(1_709_700_000)).toBe(1_709_700_000_000);
    expect(toMs(1_709_700_000_123)).toBe(1_709_700_000_123);
    expect(optionalTime(undefined)).toBeUndefined();
    expect(optionalTime(-5)).toBe('-5 (not a valid time)');
  });

  it('writes call durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3725)).toBe('1h 02m 05s');
  });

  it('writes sizes, digits and yuan without a locale', () => {
    expect(groupDigits(1234567)).toBe('1,234,567');
    expect(groupDigits(-1000)).toBe('-1,000');
    expect(formatSize(512)).toBe('512 bytes');
    expect(formatSize(1536)).toBe('1.5 KB (1,536 bytes)');
    expect(formatYuan(123456)).toBe('¥1,234.56');
    expect(formatYuan(5)).toBe('¥0.05');
  });

  it('cuts subjects on code points and collapses whitespace', () => {
    expect(snippet('a\n\tb  c', 60)).toBe('a b c');
    expect(snippet('😀'.repeat(70), 60)).toBe(`${'😀'.repeat(60)}…`);
    expect(snippet('x'.repeat(60), 60)).toBe('x'.repeat(60));
  });
});
