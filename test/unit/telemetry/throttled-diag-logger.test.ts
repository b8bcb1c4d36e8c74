import { Writable } from 'node:stream';
import type { DiagLogger } from '@opentelemetry/api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ThrottledDiagLogger } from '../../../src/telemetry/throttled-diag-logger.js';

function capture(): { lines: Record<string, unknown>[]; logger: ThrottledDiagLogger; clock: { ms: number } } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const clock = { ms: 0 };
  return { lines, logger: new ThrottledDiagLogger(pino(sink), 60_000, () => clock.ms), clock };
}

const refused = JSON.stringify({ stack: 'Error: connect ECONNREFUSED 127.0.0.1:4318\n    at ...', message: 'connect ECONNREFUSED 127.0.0.1:4318', code: 'ECONNREFUSED' });

describe('the SDK diagnostics in the gateway log', () => {
  it('logs a repeated error once a window, then again with how many were left out', () => {
    const { lines, logger, clock } = capture();
    for (let second = 0; second < 50; second += 5) {
      clock.ms = second * 1000;
      logger.error(refused);
    }
    clock.ms = 61_000;
    logger.error(refused);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'opentelemetry: connect ECONNREFUSED 127.0.0.1:4318' });
    expect(lines[1]).toMatchObject({ level: 50, suppressed_since_last: 9 });
  });

  it('takes messages that differ only in their numbers for repeats of one message', () => {
    const { lines, logger } = capture();
    logger.warn('Dropped 12480 spans because maxQueueSize reached');
    logger.warn('Dropped 6272 spans because maxQueueSize reached');
    logger.warn('Export timed out');
    expect(lines.map((line) => line.msg)).toEqual(['opentelemetry: Dropped 12480 spans because maxQueueSize reached', 'opentelemetry: Export timed out']);
  });

  it('keeps distinct messages apart, logs warnings as warnings, and leaves info and debug out', () => {
    const { lines, logger: throttled } = capture();
    const logger: DiagLogger = throttled;
    logger.error(refused);
    logger.warn('Export timed out', new Error('timeout after 10000 ms'));
    logger.info('exporting 3 spans');
    logger.debug('items to be sent');
    expect(lines.map((line) => [line.level, line.msg, line.opentelemetry])).toEqual([
      [50, 'opentelemetry: connect ECONNREFUSED 127.0.0.1:4318', undefined],
      [40, 'opentelemetry: Export timed out', 'timeout after 10000 ms'],
    ]);
  });
});
