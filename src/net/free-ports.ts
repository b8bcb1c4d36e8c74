import { createServer } from 'node:net';

/**
 * Ports below Linux's ephemeral range (32768-60999 by default): a port found free there cannot be
 * taken a moment later by some process's outgoing connection, as a port from listen(0) can.
 */
const LOW = 20_000;
const HIGH = 32_000;

/** `count` distinct ports that were free on 127.0.0.1 when checked. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count; attempts++) {
    if (attempts > count * 50) throw new Error(`could not find ${count} free ports between ${LOW} and ${HIGH}`);
    const candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!ports.has(candidate) && (await isFree(candidate))) ports.add(candidate);
  }
  return [...ports];
}

export function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen(port, host, () => probe.close(() => {
      resolve(true);
    }));
  });
}
