import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vegetaTimeSliced } from '../../../bench/time-sliced-load.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';

/** A server that notes which target each request it answers came for, in order of arrival. */
function target(name: string, arrivals: string[], status: number): Server {
  return createServer((req, res) => {
    arrivals.push(name);
    res.writeHead(req.headers['x-check'] === 'yes' ? status : 400).end();
  });
}

describe('time-sliced constant-rate load (real vegeta)', () => {
  const arrivals: string[] = [];
  const servers = [target('a', arrivals, 200), target('b', arrivals, 503)];
  const urls: string[] = [];

  beforeAll(async () => {
    for (const server of servers) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      urls.push(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ping`);
    }
  });
  afterAll(() => {
    for (const server of servers) server.close();
  });

  it('sends each target its windows in turn, with the headers given, and sorts the results back', async () => {
    const vegeta = requireTool('vegeta');
    const run = await vegetaTimeSliced(vegeta, urls.map((url) => ({ url, headers: { 'x-check': 'yes' } })), { rate: 500, windowSeconds: 0.2, leadInSeconds: 0.1, cycles: 2 });
    // 3 cycles (one of warm-up) of 50 lead-in and 100 measured requests a target.
    expect(arrivals.filter((name) => name === 'a')).toHaveLength(450);
    expect(arrivals.filter((name) => name === 'b')).toHaveLength(450);
    expect(run.requests).toEqual([450, 450]);
    expect(run.windows.map((windows) => windows.map((w) => w.requests))).toEqual([[100, 100], [100, 100]]);
    // Target b answers 503: its windows are all errors, a's none.
    expect(run.windows[0]?.map((w) => w.errors)).toEqual([0, 0]);
    expect(run.windows[1]?.map((w) => w.errors)).toEqual([100, 100]);
    // Windows a b | b a | a b: three changes of target (b b and a a run on), give or take a swap
    // at an edge; not hundreds, as if the two were interleaved request by request.
    const changes = arrivals.filter((name, index) => index > 0 && name !== arrivals[index - 1]).length;
    expect(changes).toBeGreaterThanOrEqual(3);
    expect(changes).toBeLessThanOrEqual(13);
    expect(run.windows[0]?.every((w) => w.p99Ms > 0 && w.p99Ms >= w.p50Ms)).toBe(true);
  });

  it('says how vegeta exited when it quits before the load is written, rather than dying of a broken pipe', async () => {
    // `false` stands in for a vegeta that refuses its flags: it exits 1 without reading a line.
    await expect(vegetaTimeSliced('false', urls.map((url) => ({ url, headers: {} })), { rate: 5000, windowSeconds: 1, leadInSeconds: 0, cycles: 20 })).rejects.toThrow('vegeta attack exited with 1');
  });
});
