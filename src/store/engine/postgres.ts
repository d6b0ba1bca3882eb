/**
 * A PostgreSQL store behind the synchronous `Db` interface: statements are SQLite SQL translated
 * by sql-dialect.ts (cached per text) and run over a PgChannel (a `pg` client in a worker thread).
 *
 * Where it differs from better-sqlite3:
 * - transactions run at READ COMMITTED: each statement sees what was committed before it began
 *   (SQLite's deferred transaction keeps one snapshot from its first read). `.immediate()` adds a
 *   transaction-level advisory lock, so read-then-write transactions of several processes follow
 *   one another as with SQLite's BEGIN IMMEDIATE; row locks wait up to lock_timeout (30 s, as
 *   SQLite's busy_timeout);
 * - a statement that fails inside a transaction aborts that transaction (SQLite lets it go on):
 *   catch errors inside a transaction only around a nested transaction (a SAVEPOINT);
 * - iterate() reads the whole result first; run() has no lastInsertRowid (use RETURNING);
 * - ids of identity columns come from a sequence: an insert that is rolled back or meets a
 *   conflict uses one up (SQLite would give the next insert that id again).
 */
import type { ArgumentTypes, Db, RunResult, Statement, Transaction, TransactionFunction } from './engine.js';
import { PgChannel, PgQueryError } from './postgres-channel.js';
import { PG_BOOTSTRAP, pgMigration } from './postgres-migrations.js';
import { toPostgres } from './sql-dialect.js';
import { YasrError } from '../../errors.js';
import { MIGRATIONS } from '../migrations.js';

/** pg_advisory_xact_lock keys: applying migrations; an immediate transaction. */
const MIGRATE_LOCK = 0x7961_7372_0001; // 'yasr' 1
const WRITE_LOCK = 0x7961_7372_0002;

const translated = new Map<string, string>();

/** The PostgreSQL text of a SQLite statement (cached: the store prepares the same texts again and again). */
export function pgSql(sql: string): string {
  let t = translated.get(sql);
  if (t === undefined) {
    t = toPostgres(sql);
    if (translated.size > 5000) translated.clear();
    translated.set(sql, t);
  }
  return t;
}

type Mode = 'object' | 'raw' | 'pluck';

/** better-sqlite3 binds arrays' items as parameters; NaN is bound as NULL (as SQLite stores it). */
function flatParams(params: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const p of params) {
    if (Array.isArray(p)) out.push(...flatParams(p));
    else if (p === undefined) out.push(null);
    else if (typeof p === 'number' && Number.isNaN(p)) out.push(null);
    else if (typeof p === 'boolean') out.push(p ? 1 : 0);
    else if (typeof p === 'bigint') out.push(p.toString());
    else if (typeof p === 'string' && p.includes('\u0000')) {
      throw new YasrError('STORE', `PostgreSQL text cannot hold a NUL character (\\u0000): ${JSON.stringify(p.slice(0, 80))}`);
    }
    else if (p !== null && typeof p === 'object' && !(p instanceof Uint8Array)) {
      throw new YasrError('STORE', 'named parameters (an object) are not supported on PostgreSQL: pass the values in order');
    } else out.push(p);
  }
  return out;
}

class PgStatement implements Statement {
  private mode: Mode = 'object';

  constructor(
    private readonly db: PgDb,
    private readonly sql: string,
  ) {}

  pluck(toggle = true): this {
    if (toggle) this.mode = 'pluck';
    else if (this.mode === 'pluck') this.mode = 'object';
    return this;
  }

  raw(toggle = true): this {
    if (toggle) this.mode = 'raw';
    else if (this.mode === 'raw') this.mode = 'object';
    return this;
  }

  run(...params: unknown[]): RunResult {
    const r = this.db.query(this.sql, params);
    return {
      changes: r.rowCount,
      get lastInsertRowid(): never {
        throw new YasrError('STORE', 'lastInsertRowid is not available on PostgreSQL: write INSERT ... RETURNING id and read it with get()');
      },
    } as RunResult;
  }

  get(...params: unknown[]): unknown {
    return this.rows(params, 1)[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.rows(params, Infinity);
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.rows(params, Infinity)[Symbol.iterator]();
  }

  private rows(params: unknown[], max: number): unknown[] {
    const r = this.db.query(this.sql, params);
    const n = Math.min(max, r.rows.length);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const row = r.rows[i];
      for (const c of r.bytea) {
        const v = row[c];
        if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[c] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      }
      if (this.mode === 'pluck') out[i] = row[0];
      else if (this.mode === 'raw') out[i] = row;
      else {
        const o: Record<string, unknown> = {};
        for (let c = 0; c < r.fields.length; c++) o[r.fields[c]] = row[c];
        out[i] = o;
      }
    }
    return out;
  }
}

export interface PgOpenOptions {
  readonly?: boolean;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

export class PgDb implements Db {
  readonly engine = 'postgres' as const;
  readonly memory = false;
  readonly name = '';
  readonly readonly: boolean;
  /** The database as messages show it (password masked). */
  readonly display: string;
  private depth = 0;
  private lastSnapshot = '';
  private version = 0;
  private line: PgChannel;
  private closedByUser = false;
  private readonly connect: () => PgChannel;

  constructor(connectionString: string, display: string, o: PgOpenOptions) {
    this.readonly = o.readonly ?? false;
    this.display = display;
    this.connect = () => {
      const c = new PgChannel({ connectionString, display, connectTimeoutMs: o.connectTimeoutMs, queryTimeoutMs: o.queryTimeoutMs, lockTimeoutMs: 30_000 });
      c.connect();
      if (this.readonly) c.exec('SET default_transaction_read_only = on');
      return c;
    };
    this.line = this.connect();
  }

  /**
   * The connection. One that was lost (the server restarted, the thread died) is made again
   * between transactions, so that a long-running process (yasr serve) goes on; inside a
   * transaction the loss is that transaction's error.
   */
  get channel(): PgChannel {
    if (this.line.closed && this.depth === 0 && !this.closedByUser) this.line = this.connect();
    return this.line;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  query(sql: string, params: unknown[]): { rows: unknown[][]; fields: string[]; bytea: number[]; rowCount: number } {
    return this.channel.query(sql, flatParams(params));
  }

  prepare(sql: string): Statement {
    return new PgStatement(this, pgSql(sql));
  }

  exec(sql: string): this {
    this.channel.exec(pgSql(sql));
    return this;
  }

  /** PostgreSQL SQL as it is (no translation): migrations' overrides, locks, SET. */
  execNative(sql: string): void {
    this.channel.exec(sql);
  }

  transaction<F extends TransactionFunction>(fn: F): Transaction<F> {
    const run =
      (immediate: boolean) =>
      (...args: ArgumentTypes<F>): ReturnType<F> => {
        const nested = this.depth > 0;
        const sp = `yasr_sp${this.depth}`;
        this.channel.exec(nested ? `SAVEPOINT ${sp}` : 'BEGIN');
        this.depth++;
        let result: ReturnType<F>;
        try {
          if (immediate) this.channel.exec(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
          result = fn(...args) as ReturnType<F>;
          if (result && typeof (result as { then?: unknown }).then === 'function') {
            throw new TypeError('Transaction function cannot return a promise');
          }
        } catch (err) {
          this.depth--;
          if (!this.line.closed) {
            try {
              this.channel.exec(nested ? `ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}` : 'ROLLBACK');
            } catch {
              // the error that got us here is the one to report
            }
          }
          throw err;
        }
        this.depth--;
        this.channel.exec(nested ? `RELEASE SAVEPOINT ${sp}` : 'COMMIT');
        return result;
      };
    const t = run(false) as Transaction<F>;
    t.immediate = run(true);
    return t;
  }

  close(): void {
    this.closedByUser = true;
    this.line.close();
  }

  /**
   * A number that changes whenever a transaction that wrote anything in the cluster (this
   * connection's own included) has committed or begun since the last call: the text of
   * pg_current_snapshot() (xmin:xmax:in-progress ids) changes exactly then. SQLite's data_version
   * moves only for other connections' commits; this one moves for more (own writes, other
   * databases of the cluster), never for less.
   */
  dataVersion(): number {
    const snap = this.channel.query('SELECT pg_current_snapshot()::text', []).rows[0][0] as string;
    if (snap !== this.lastSnapshot) {
      this.lastSnapshot = snap;
      this.version++;
    }
    return this.version;
  }

  schemaVersion(): number {
    try {
      return Number(this.channel.query('SELECT version FROM yasr_schema WHERE id = 1', []).rows[0]?.[0] ?? 0);
    } catch (err) {
      if (err instanceof PgQueryError && err.sqlState === '42P01') return 0; // undefined_table: a new database
      throw err;
    }
  }

  /** Apply the missing migrations, all in one transaction holding yasr's migration lock. */
  migrate(): void {
    const latest = MIGRATIONS.length;
    const seen = this.schemaVersion();
    if (seen > latest) throw newer(seen, latest);
    if (seen === latest) return;
    this.transaction(() => {
      this.channel.exec(`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK})`);
      this.channel.exec(PG_BOOTSTRAP);
      const current = this.schemaVersion(); // another process may have applied them meanwhile
      if (current > latest) throw newer(current, latest);
      for (let v = current + 1; v <= latest; v++) {
        try {
          this.channel.exec(pgMigration(v));
        } catch (err) {
          throw new YasrError('STORE', `cannot apply migration ${v} to PostgreSQL at ${this.display}: ${(err as Error).message}`);
        }
      }
      if (current < latest) this.channel.query('UPDATE yasr_schema SET version = $1 WHERE id = 1', [latest]);
    })();
  }
}

function newer(v: number, latest: number): YasrError {
  return new YasrError('STORE', `database schema version ${v} is newer than this yasr understands (${latest}); upgrade yasr`);
}
