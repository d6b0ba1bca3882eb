/**
 * The store engine interface: exactly the part of better-sqlite3's Database that yasr uses, so
 * that a better-sqlite3 database is a `Db` as it is (src/store/engine/sqlite.ts) and a PostgreSQL
 * connection (src/store/engine/postgres.ts) implements the same synchronous calls.
 *
 * SQL is written for SQLite and must also be accepted by PostgreSQL after the mechanical
 * translation of sql-dialect.ts (placeholders, type names, the strftime timestamp, INSERT OR
 * IGNORE, mixed-case aliases); the few queries that need other SQL per engine ask engineOf(db)
 * (src/store/db.ts).
 */

export type EngineName = 'sqlite' | 'postgres';

/** What a statement's run() reports. (No lastInsertRowid: write `INSERT ... RETURNING id`.) */
export interface RunResult {
  changes: number;
}

export interface Statement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Only the first column of each row. */
  pluck(toggle?: boolean): this;
  /** Rows as arrays of values instead of objects. */
  raw(toggle?: boolean): this;
}

export type TransactionFunction = (...params: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
/** (as better-sqlite3's typings spell it, so that its Database is a Db) */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type ArgumentTypes<F extends Function> = F extends (...args: infer A) => unknown ? A : never;

/**
 * A function run in a transaction: BEGIN ... COMMIT, ROLLBACK when it throws (the error goes on),
 * its return value passed through; called inside another transaction it is a SAVEPOINT.
 * `immediate` takes the write lock at the start (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and
 * yasr's transaction-level advisory lock, so that read-then-write transactions of two processes
 * follow one another as they do on SQLite).
 */
export interface Transaction<F extends TransactionFunction> {
  (...params: ArgumentTypes<F>): ReturnType<F>;
  immediate(...params: ArgumentTypes<F>): ReturnType<F>;
}

export interface Db {
  prepare(sql: string): Statement;
  /** One or more statements without parameters. */
  exec(sql: string): unknown;
  transaction<F extends TransactionFunction>(fn: F): Transaction<F>;
  close(): unknown;
  /** Opened read-only. */
  readonly readonly: boolean;
  /** An in-memory database (SQLite :memory:). */
  readonly memory: boolean;
  /** The database file ('' when there is none: a temporary or PostgreSQL database). */
  readonly name: string;
  readonly inTransaction: boolean;
}
