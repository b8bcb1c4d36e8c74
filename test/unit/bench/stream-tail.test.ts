import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keepTail } from '../../../bench/stream-tail.js';

describe('the tail of a stream', () => {
  it('keeps only the last characters written, however much is written', () => {
    const stream = new PassThrough();
    const tail = keepTail(stream, 10);
    stream.write('0123456789');
    stream.write('abcdef');
    expect(tail()).toBe('6789abcdef');
  });
});
