import { describe, expect, it } from 'vitest';
import { benchSetting, benchSwitch } from '../../../bench/bench-settings.js';

describe('benchmark settings from the environment', () => {
  it('take the default when unset or empty, and the value when given', () => {
    expect(benchSetting({}, 'BENCH_CYCLES', 40, 'count')).toBe(40);
    expect(benchSetting({ BENCH_CYCLES: '' }, 'BENCH_CYCLES', 40, 'count')).toBe(40);
    expect(benchSetting({ BENCH_CYCLES: '12' }, 'BENCH_CYCLES', 40, 'count')).toBe(12);
    expect(benchSetting({ BENCH_LEAD_IN_SECONDS: '0' }, 'BENCH_LEAD_IN_SECONDS', 0.5, 'secondsOrZero')).toBe(0);
    expect(benchSetting({ BENCH_WINDOW_SECONDS: '0.5' }, 'BENCH_WINDOW_SECONDS', 1, 'seconds')).toBe(0.5);
  });

  it('name the variable and what it takes when the value will not do', () => {
    expect(() => benchSetting({ BENCH_CYCLES: 'forty' }, 'BENCH_CYCLES', 40, 'count')).toThrow('BENCH_CYCLES must be a whole number above 0, got "forty"');
    expect(() => benchSetting({ BENCH_ROUNDS: '2.5' }, 'BENCH_ROUNDS', 15, 'count')).toThrow('BENCH_ROUNDS must be a whole number above 0, got "2.5"');
    expect(() => benchSetting({ BENCH_SECONDS: '0' }, 'BENCH_SECONDS', 2, 'seconds')).toThrow('BENCH_SECONDS must be a number of seconds above 0, got "0"');
    expect(() => benchSetting({ BENCH_LEAD_IN_SECONDS: '-1' }, 'BENCH_LEAD_IN_SECONDS', 0.5, 'secondsOrZero')).toThrow('BENCH_LEAD_IN_SECONDS must be a number of seconds, 0 or more, got "-1"');
  });

  it('switch on only at 1, off when unset, empty or 0', () => {
    expect(benchSwitch({}, 'BENCH_DIAGNOSE')).toBe(false);
    expect(benchSwitch({ BENCH_DIAGNOSE: '' }, 'BENCH_DIAGNOSE')).toBe(false);
    expect(benchSwitch({ BENCH_DIAGNOSE: '0' }, 'BENCH_DIAGNOSE')).toBe(false);
    expect(benchSwitch({ BENCH_DIAGNOSE: '1' }, 'BENCH_DIAGNOSE')).toBe(true);
  });

  it('name the switch and its two values when it is set to anything else', () => {
    expect(() => benchSwitch({ BENCH_DIAGNOSE: 'yes' }, 'BENCH_DIAGNOSE')).toThrow('BENCH_DIAGNOSE must be 0 or 1, got "yes"');
  });
});
