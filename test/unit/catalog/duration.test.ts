import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/catalog/index.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['30d', 2_592_000_000],
    ['1w', 604_800_000],
  ])('parses %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('parses a zero duration as 0 (the schema decides where zero is allowed)', () => {
    expect(parseDuration('0ms')).toBe(0);
  });

  it.each(['', '5', 's', '1.5h', '-1s', '1 h', '1y'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [3_600_000, '1h'],
    [300_000, '5m'],
    [90_000, '90s'],
    [250, '250ms'],
    [2_592_000_000, '30d'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
