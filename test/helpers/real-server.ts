import { afterAll, beforeAll } from 'vitest';

/**
 * One real server for the test file that calls this at its top level: started before its tests,
 * stopped after them. Returns a getter that fails plainly when called outside the tests.
 */
export function useRealServer<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>, startTimeoutMs: number): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    server = await start();
  }, startTimeoutMs);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error(`${what} is not running: call its use...() helper at the top level of the test file`);
    return server;
  };
}
