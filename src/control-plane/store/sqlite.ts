import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseError, type Database, type Queryable, type Row } from './database.js';

export const SQLITE_FILE = 'control-plane.sqlite';

/**
 * SQLite through better-sqlite3, embedded: no server to run. WAL mode with synchronous=FULL, so a
 * commit is on disk (fsync) before it returns. One connection; operations take turns, and a
 * transaction holds the connection until it commits, so no other statement lands inside it.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: BetterSqlite3.Database) {}

  static open(dataDir: string): SqliteDatabase {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new BetterSqlite3(join(dataDir, SQLITE_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return new SqliteDatabase(db);
  }

  query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.exclusive(() => Promise.resolve(statement(this.db, sql, params).all(...positional(sql, params)) as T[]));
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.exclusive(() => Promise.resolve(statement(this.db, sql, params).run(...positional(sql, params)).changes));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const tx: Queryable = {
        query: <R extends Row = Row>(sql: string, params: readonly unknown[] = []) => Promise.resolve(statement(this.db, sql, params).all(...positional(sql, params)) as R[]),
        run: (sql: string, params: readonly unknown[] = []) => Promise.resolve(statement(this.db, sql, params).run(...positional(sql, params)).changes),
      };
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => {
      this.db.close();
      return Promise.resolve();
    });
  }

  /** Operations take turns on the one connection, in the order they were asked for. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.turn.then(operation);
    this.turn = result.catch(() => undefined);
    return result;
  }
}

const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** Prepared once per SQL text; $n placeholders become SQLite's ?. */
function statement(db: BetterSqlite3.Database, sql: string, params: readonly unknown[]): BetterSqlite3.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    try {
      prepared = db.prepare(sql.replace(/\$\d+/g, '?'));
    } catch (error) {
      throw new DatabaseError(`SQLite refused ${sql.slice(0, 80)}: ${(error as Error).message} (${params.length} parameters)`);
    }
    cache.set(sql, prepared);
  }
  return prepared;
}

/** The parameters in the order the ?s stand: $2 before $1 is bound as such. */
function positional(sql: string, params: readonly unknown[]): unknown[] {
  return [...sql.matchAll(/\$(\d+)/g)].map((match) => sqliteValue(params[Number(match[1]) - 1]));
}

function sqliteValue(value: unknown): unknown {
  return typeof value === 'boolean' ? Number(value) : value;
}
