import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_METRICS, burnRateFactors, leLabel, sloIdentity, sloSelector } from '../../../src/catalog/conventions.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the SLI contract', () => {
  it('spells le boundaries as prom-client does', () => {
    expect([0.1, 1, 2.5, 10, 0.005, Number.POSITIVE_INFINITY].map(leLabel)).toEqual(['0.1', '1', '2.5', '10', '0.005', '+Inf']);
  });

  it('labels an SLO by service and slo only', () => {
    expect(sloIdentity({ service: 'user', id: 'latency' })).toEqual({ service: 'user', slo: 'latency' });
    expect(sloSelector({ service: 'user', id: 'latency' })).toBe('{service="user",slo="latency"}');
  });

  it.each([
    [30, { fast: 14.4, medium: 6, slow: 3, 'very-slow': 1 }],
    [7, { fast: 3.36, medium: 1.4, slow: 0.7, 'very-slow': 0.233333 }],
  ])('derives the burn-rate factors of a %i-day period', (days, factors) => {
    expect(burnRateFactors(days * 86_400_000)).toEqual(factors);
  });

  it('types every gateway metric name in one file under src/', () => {
    const names = Object.values(GATEWAY_METRICS).map((metric) => metric.name);
    for (const name of names) {
      const holders = sourceFiles('src').filter((file) => new RegExp(`['"\`]${name}['"\`_{]`).test(readFileSync(file, 'utf8')));
      expect(holders, name).toEqual(['src/catalog/conventions.ts']);
    }
  });
});
