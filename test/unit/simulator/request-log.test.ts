import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../../src/simulator/request-log.js';

describe('RequestLog', () => {
  it('keeps the last `capacity` requests, oldest first, across the wrap-around', () => {
    const log = new RequestLog(3);
    for (let index = 1; index <= 5; index++) log.record('GET', `/r/${index}`, {});
    expect(log.recent(10).map((entry) => entry.url)).toEqual(['/r/3', '/r/4', '/r/5']);
    expect(log.recent(2).map((entry) => entry.url)).toEqual(['/r/4', '/r/5']);
  });

  it('shows credentials only as present and joins repeated headers', () => {
    const log = new RequestLog();
    log.record('POST', '/x', { authorization: 'Bearer secret', 'x-api-key': 'sre_secret', cookie: 'a=b', traceparent: '00-abc-def-01', 'x-forwarded-for': ['1.1.1.1', '2.2.2.2'] });
    const [entry] = log.recent(1);
    expect(entry?.headers).toEqual({ authorization: '[present]', 'x-api-key': '[present]', cookie: '[present]', traceparent: '00-abc-def-01', 'x-forwarded-for': '1.1.1.1, 2.2.2.2' });
    expect(JSON.stringify(log.recent(1))).not.toContain('secret');
    expect(entry?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('is empty after clear', () => {
    const log = new RequestLog(2);
    log.record('GET', '/a', {});
    log.clear();
    expect(log.recent(5)).toEqual([]);
  });
});
