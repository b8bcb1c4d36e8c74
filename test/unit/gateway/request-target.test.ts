import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../../src/gateway/request-target.js';

describe('request target validation', () => {
  it('splits path and query', () => {
    expect(parseRequestTarget('/api/x/y?b=1&c=%zz')).toEqual({ path: '/api/x/y', query: '?b=1&c=%zz' });
    expect(parseRequestTarget('/api/rec%20ord')).toEqual({ path: '/api/rec%20ord', query: '' });
  });

  it.each([
    [undefined, 'absolute path'],
    ['', 'absolute path'],
    ['*', 'absolute path'],
    ['http://host/api', 'absolute path'],
    ['/api//x', 'empty segment'],
    ['/api/./x', 'dot segment'],
    ['/api/../x', 'dot segment'],
    ['/api/x/..', 'dot segment'],
    ['/api/%2e%2e/x', 'encoded dot'],
    ['/api/%2E./x', 'encoded dot'],
    ['/api/x%5c..', 'encoded dot'],
    ['/api/x%00', 'encoded dot'],
    ['/api/%zz', 'invalid percent-encoding'],
    ['/api/%e0%a4%a', 'invalid percent-encoding'],
  ])('refuses %j (%s)', (target, reason) => {
    const result = parseRequestTarget(target);
    expect(result).toHaveProperty('problem');
    expect((result as { problem: string }).problem).toContain(reason);
  });
});
