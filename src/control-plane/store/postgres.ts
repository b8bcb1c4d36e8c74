import pg from 'pg';
import { DatabaseError, type Database, type Queryable, type Row } from './database.js';

// BIGINT columns hold epoch milliseconds, which numbers hold exactly: read them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * PostgreSQL through a pg pool, for several control-plane replicas on one database; a commit is
 * durable when it returns (fsync on).
 */
export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static open(url: string): PostgresDatabase {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its connection must not take the process down.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, [...params]).catch(rethrow(sql))).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.pool.query(sql, [...params]).catch(rethrow(sql))).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      query: async <R extends Row = Row>(sql: string, params: readonly unknown[] = []) => (await client.query<R>(sql, [...params]).catch(rethrow(sql))).rows,
      run: async (sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params]).catch(rethrow(sql))).rowCount ?? 0,
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Serializes concurrent migration runners on one database (held until the transaction ends). */
export async function postgresMigrationLock(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7417020501)');
}

function rethrow(sql: string): (error: unknown) => never {
  return (error) => {
    throw new DatabaseError(`PostgreSQL refused ${sql.replace(/\s+/g, ' ').slice(0, 80)}: ${(error as Error).message}`, { cause: error });
  };
}
