import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type RunningPostgres } from '../../src/dev/local-postgres.js';

/**
 * One real PostgreSQL server for the test file that calls this at its top level, started before its
 * tests and stopped after them. Returns a function that makes a fresh database and gives its URL.
 */
export function usePostgres(): (prefix: string) => Promise<string> {
  let postgres: RunningPostgres | undefined;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.stop();
  });
  return (prefix) => {
    if (!postgres) throw new Error('PostgreSQL is not running: call usePostgres() at the top level of the test file');
    return postgres.database(prefix);
  };
}
