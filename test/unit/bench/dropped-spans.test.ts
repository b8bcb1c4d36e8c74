import { describe, expect, it } from 'vitest';
import { spansDroppedIn } from '../../../bench/dropped-spans.js';

describe('spans dropped, read from a gateway /metrics', () => {
  it('adds every reason', () => {
    const exposition = [
      '# HELP gateway_spans_dropped_total Sampled spans dropped unexported.',
      '# TYPE gateway_spans_dropped_total counter',
      'gateway_spans_dropped_total{reason="queue_full"} 12',
      'gateway_spans_dropped_total{reason="export_failed"} 512',
      'gateway_spans_dropped_total{reason="worker_failed"} 0',
      'gateway_requests_in_flight 3',
    ].join('\n');
    expect(spansDroppedIn(exposition)).toBe(524);
  });

  it('reads 0 from a gateway that dropped none', () => {
    expect(spansDroppedIn('gateway_spans_dropped_total{reason="queue_full"} 0\n')).toBe(0);
  });
});
