import { describe, expect, it } from 'vitest';
import { sortIntoWindows, windowSchedule, type VegetaResult } from '../../../bench/time-sliced-load.js';

const targets = [
  { url: 'http://127.0.0.1:1/a', headers: {} },
  { url: 'http://127.0.0.1:2/b', headers: {} },
];
const plan = { rate: 1000, windowSeconds: 0.1, leadInSeconds: 0.05, cycles: 2 };

function result(seq: number, target: number, latencyMs: number, code = 200): VegetaResult {
  return { seq, url: targets[target]?.url ?? '', code, latency: latencyMs * 1e6, error: code === 200 ? '' : 'boom' };
}

describe('time-sliced windows', () => {
  it('give every target a turn per cycle, the order reversed every other cycle, warm-up first', () => {
    expect(windowSchedule(3, 2)).toEqual([0, 1, 2, 2, 1, 0, 0, 1, 2]);
  });

  it('sort results into windows by sequence number, leaving out lead-ins and the warm-up cycle', () => {
    // Schedule [0, 1, 1, 0, 0, 1]: turns of 50 lead-in and 100 measured requests, the first two the warm-up.
    const schedule = windowSchedule(2, 2);
    const results = schedule.flatMap((target, turn) => Array.from({ length: 150 }, (_, index) => result(turn * 150 + index, target, index < 50 ? 1000 : turn + (index - 50) / 100)));
    const run = sortIntoWindows(results, targets, plan);
    expect(run.windows.map((windows) => windows.map((w) => w.requests))).toEqual([[100, 100], [100, 100]]);
    expect(run.requests).toEqual([450, 450]);
    // Target 0's measured windows are in turns 3 and 4: latencies 3.00-3.99 and 4.00-4.99 ms; the
    // lead-ins' 1000 ms appear nowhere.
    expect(run.windows[0]?.map((w) => w.p99Ms)).toEqual([3.98, 4.98]);
    expect(run.windows[0]?.map((w) => w.p50Ms)).toEqual([3.49, 4.49]);
    expect(run.latenciesMs[0]).toHaveLength(200);
    expect(Math.max(...(run.latenciesMs[0] ?? []))).toBeLessThan(5);
  });

  it('put a request swapped across a turn\'s edge into its own target\'s turn, and count failures', () => {
    const schedule = windowSchedule(2, 2);
    const results = schedule.flatMap((target, turn) => Array.from({ length: 150 }, (_, index) => result(turn * 150 + index, target, 1)));
    // Sequence numbers 449 and 450 straddle the edge between turns 2 (target 1) and 3 (target 0)
    // and read their targets the other way round: 449 goes to target 0's lead-in, not measured,
    // 450 to the end of target 1's window, measured, and each window keeps its 100.
    results[449] = result(449, 0, 1);
    results[450] = result(450, 1, 1, 503);
    const run = sortIntoWindows([...results, { seq: 900, url: '', code: 0, latency: 0, error: 'no targets to attack' }], targets, plan);
    expect(run.windows[1]?.[0]).toMatchObject({ requests: 100, errors: 1 });
    expect(run.windows[0]?.[0]).toMatchObject({ requests: 100, errors: 0 });
    expect(run.requests).toEqual([450, 450]);
  });

  it('refuse a result for a URL that is none of the targets', () => {
    expect(() => sortIntoWindows([{ seq: 0, url: 'http://elsewhere/', code: 200, latency: 1, error: '' }], targets, plan)).toThrow('vegeta reported a request to http://elsewhere/, which is none of the targets');
  });

  it('refuse windows too short to hold a p99', () => {
    expect(() => sortIntoWindows([], targets, { rate: 500, windowSeconds: 0.1, leadInSeconds: 0, cycles: 1 })).toThrow('a window of 0.1 s at 500 req/s holds 50 requests; a p99 needs at least 100');
  });
});
