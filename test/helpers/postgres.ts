import { startPostgres } from '../../src/dev/local-postgres.js';
import { useRealServer } from './real-server.js';

/**
 * One real PostgreSQL server for the test file that calls this at its top level, started before its
 * tests and stopped after them. Returns a function that makes a fresh database and gives its URL.
 */
export function usePostgres(): (prefix: string) => Promise<string> {
  const postgres = useRealServer('PostgreSQL', startPostgres, 60_000);
  return (prefix) => postgres().database(prefix);
}
