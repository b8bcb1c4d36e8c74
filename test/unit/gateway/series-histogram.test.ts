import { Histogram, Registry, type Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesHistogram } from '../../../src/gateway/series-histogram.js';

const BUCKETS = [0.005, 0.01, 0.1, 1];
const LABELS = ['service', 'http_request_method'] as const;
const OPENMETRICS = Registry.OPENMETRICS_CONTENT_TYPE;

function histogram(): SeriesHistogram<(typeof LABELS)[number]> {
  return new SeriesHistogram({ name: 'request_seconds', help: 'Request duration.', labelNames: LABELS, buckets: BUCKETS });
}

async function render(metric: unknown, contentType: typeof OPENMETRICS | typeof Registry.PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE): Promise<string> {
  const registry = new Registry();
  registry.setContentType(contentType as typeof Registry.PROMETHEUS_CONTENT_TYPE);
  registry.registerMetric(metric as Metric);
  return registry.metrics();
}

/** Sample lines with their labels in a fixed order, so two expositions compare by content. */
function samples(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/\{([^}]*)\}/, (_all, labels: string) => `{${labels.split(',').sort().join(',')}}`))
    .sort();
}

describe('SeriesHistogram', () => {
  it('counts a value equal to a bound in that bound\'s bucket, and one above every bound only in +Inf', async () => {
    const metric = histogram();
    const series = metric.series('user', 'GET');
    for (const value of [0.01, 0.01, 0.05, 3]) series.observe(value);
    const lines = samples(await render(metric));
    expect(lines).toContain('request_seconds_bucket{http_request_method="GET",le="0.005",service="user"} 0');
    expect(lines).toContain('request_seconds_bucket{http_request_method="GET",le="0.01",service="user"} 2');
    expect(lines).toContain('request_seconds_bucket{http_request_method="GET",le="0.1",service="user"} 3');
    expect(lines).toContain('request_seconds_bucket{http_request_method="GET",le="1",service="user"} 3');
    expect(lines).toContain('request_seconds_bucket{http_request_method="GET",le="+Inf",service="user"} 4');
    expect(lines).toContain('request_seconds_count{http_request_method="GET",service="user"} 4');
    expect(lines).toContain('request_seconds_sum{http_request_method="GET",service="user"} 3.07');
  });

  it('renders the same exposition as prom-client\'s Histogram given the same observations', async () => {
    const ours = histogram();
    const theirs = new Histogram({ name: 'request_seconds', help: 'Request duration.', labelNames: LABELS, buckets: BUCKETS, registers: [] });
    const observations: [string, string, number][] = [['user', 'GET', 0.004], ['user', 'POST', 0.2], ['auth', 'GET', 0.1], ['user', 'GET', 12], ['user', 'GET', 0.0099]];
    for (const [service, method, value] of observations) {
      ours.series(service, method).observe(value);
      theirs.observe({ service, http_request_method: method }, value);
    }
    expect(await render(ours)).toBe(await render(theirs));
  });

  it('returns one series per label values, the same object every time', () => {
    const metric = histogram();
    expect(metric.series('user', 'GET')).toBe(metric.series('user', 'GET'));
    expect(metric.series('user', 'GET')).not.toBe(metric.series('user', 'POST'));
    expect(metric.series('user', 'GET')).not.toBe(metric.series('auth', 'GET'));
    expect(metric.series('user', 'GET').labels).toEqual({ service: 'user', http_request_method: 'GET' });
  });

  it('renders an exemplar on the bucket of the traced observation, in OpenMetrics only', async () => {
    const metric = histogram();
    metric.series('user', 'GET').observe(0.05, { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' });
    metric.series('user', 'GET').observe(0.002);
    const openMetrics = await render(metric, OPENMETRICS);
    expect(openMetrics).toMatch(/^request_seconds_bucket\{[^}]*le="0\.1"[^}]*\} 2 # \{trace_id="0af7651916cd43dd8448eb211c80319c",span_id="b7ad6b7169203331"\} 0\.05 \d+(\.\d+)?$/m);
    expect(openMetrics.match(/ # \{/g)).toHaveLength(1);
    expect(await render(metric)).not.toContain('trace_id');
  });

  it('refuses the wrong number of label values, naming the metric and its labels', () => {
    expect(() => histogram().series('user')).toThrow('request_seconds: expected 2 label values (service, http_request_method), got 1');
  });

  it('refuses bucket bounds that do not ascend', () => {
    expect(() => new SeriesHistogram({ name: 'request_seconds', help: 'x', labelNames: LABELS, buckets: [0.1, 0.1, 1] })).toThrow('request_seconds: bucket bounds must ascend, got 0.1, 0.1, 1');
  });
});
