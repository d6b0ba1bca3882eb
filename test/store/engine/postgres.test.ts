/**
 * The PostgreSQL engine: the synchronous bridge's failures (each one line, no hang), statements
 * and transactions with better-sqlite3's semantics, the schema against SQLite's, concurrent
 * opening, and the data version.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { YasrError } from '../../../src/errors.js';
import { copyDatabase, dataVersion, localBase, maskUrl, openDb, schemaVersion, type Db } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import type { PgDb } from '../../../src/store/engine/postgres.js';
import { ROOT } from '../../helpers/cli.js';
import { PG_SKIP, freshPgUrl, pgServerUrl, stopPg, warnSkip } from '../../helpers/postgres.js';

const opened: Db[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});
afterAll(stopPg);
warnSkip();

function open(url = freshPgUrl()): Db {
  const db = openDb(url);
  opened.push(db);
  return db;
}

/** The error `fn` throws: a one-line STORE YasrError. */
function oneLine(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(YasrError);
  const e = caught as YasrError;
  expect(e.code).toBe('STORE');
  expect(e.message).not.toContain('\n');
  return e.message;
}

/** A port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe.skipIf(PG_SKIP !== null)('PostgreSQL bridge: failures are one line and never hang', () => {
  it('a wrong password: named, with the password masked', () => {
    const u = new URL(pgServerUrl());
    u.password = 'not-the-password';
    const msg = oneLine(() => openDb(u.toString()));
    expect(msg).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/\w+:\*\*\*@127\.0\.0\.1:\d+\/\w+: password authentication failed/);
    expect(msg).not.toContain('not-the-password');
  });

  it('a refused port', async () => {
    const port = await freePort();
    const msg = oneLine(() => openDb(`postgres://yasr:s3cret@127.0.0.1:${port}/yasr`));
    expect(msg).toBe(`cannot connect to PostgreSQL at postgres://yasr:***@127.0.0.1:${port}/yasr: connection refused (is the server running and accepting TCP connections?)`);
  });

  it('a server that accepts and never answers: connect_timeout', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s)); // accepts, reads, never writes
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const msg = oneLine(() => openDb(`postgres://yasr:s3cret@127.0.0.1:${port}/yasr?connect_timeout=1`));
      expect(msg).toBe(`cannot connect to PostgreSQL at postgres://yasr:***@127.0.0.1:${port}/yasr?connect_timeout=1: no answer within 1 s (connect_timeout)`);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('a statement running past query_timeout is cancelled by the server; the connection goes on', () => {
    const u = new URL(freshPgUrl());
    u.searchParams.set('query_timeout', '1');
    const db = open(u.toString());
    expect(() => db.prepare('SELECT pg_sleep(30)').get()).toThrow(/statement timeout/);
    expect(db.prepare('SELECT 1 + 1').pluck().get()).toBe(2);
  });

  it('the connection thread dying: one line; the next statement outside a transaction connects again', () => {
    const db = open() as PgDb;
    expect(oneLine(() => db.channel.crashForTesting())).toMatch(/^lost the connection to PostgreSQL at postgres:\/\/\w+:\*\*\*@.*: the connection thread failed: /);
    expect(db.prepare('SELECT 1 + 1').pluck().get()).toBe(2);
    // inside a transaction the loss is the transaction's error, in one line
    const msg = oneLine(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO tracks (sha256) VALUES (?)').run('lost');
        expect(() => db.channel.crashForTesting()).toThrow(YasrError);
        db.prepare('SELECT 1').get();
      })(),
    );
    expect(msg).toMatch(/^no connection to PostgreSQL at postgres:\/\/\w+:\*\*\*@.*: the connection was lost: /);
    expect(db.prepare('SELECT COUNT(*) FROM tracks').pluck().get()).toBe(0); // rolled back with the connection
    db.close();
    expect(oneLine(() => db.prepare('SELECT 1').get())).toMatch(/: closed$/);
  });

  it('text with a NUL character: one line saying so', () => {
    const db = open();
    expect(oneLine(() => db.prepare('SELECT ?').get('a\u0000b'))).toBe('PostgreSQL text cannot hold a NUL character (\\u0000): "a\\u0000b"');
  });

  it('copying the database to a file (evaluate --variants) is SQLite only: one line', () => {
    const db = open();
    expect(oneLine(() => copyDatabase(db, '/tmp/never.db'))).toMatch(/^cannot copy the PostgreSQL database postgres:\/\/\w+:\*\*\*@.* to a file: copies \(evaluate --variants\) need a SQLite database$/);
  });
});

describe('postgres:// URLs', () => {
  it('bad ones are refused before connecting, the password masked', () => {
    expect(() => openDb('postgres://u:pw@host/')).toThrow(/^invalid --db "postgres:\/\/u:\*\*\*@host\/": no database name/);
    expect(() => openDb('postgres://u:pw@h/db?connect_timeout=soon')).toThrow(/connect_timeout must be a number of seconds above 0, not "soon"/);
    expect(() => openDb('postgres://u:pw@h/db?query_timeout=-1')).toThrow(/query_timeout must be a number of seconds, not "-1"/);
  });

  it('the password is masked in the userinfo and as a parameter; local files go under ./data', () => {
    expect(maskUrl('postgresql://me:p%40ss@db.example:6543/yasr?sslmode=require&password=x2')).toBe('postgresql://me:***@db.example:6543/yasr?sslmode=require&password=***');
    expect(localBase('postgres://me:pw@db.example:6543/my%20db')).toBe(path.resolve('data', 'pg-db.example-6543-my_db'));
    expect(localBase('postgres://me:pw@db.example/yasr')).toBe(path.resolve('data', 'pg-db.example-5432-yasr'));
  });
});

describe.skipIf(PG_SKIP !== null)('PostgreSQL statements and transactions (better-sqlite3 semantics)', () => {
  it('get / all / iterate / pluck / raw, RETURNING, changes; lastInsertRowid is refused', () => {
    const db = open();
    const ins = db.prepare('INSERT INTO tracks (sha256, title, duration) VALUES (?, ?, ?) RETURNING id').pluck();
    expect([ins.get('a', 'A', 1.5), ins.get('b', null, 2.25)]).toEqual([1, 2]);
    expect(db.prepare('SELECT id, title, duration FROM tracks ORDER BY id').all()).toEqual([{ id: 1, title: 'A', duration: 1.5 }, { id: 2, title: null, duration: 2.25 }]);
    expect(db.prepare('SELECT id, title FROM tracks ORDER BY id').raw().all()).toEqual([[1, 'A'], [2, null]]);
    expect([...db.prepare('SELECT sha256 FROM tracks ORDER BY id').pluck().iterate()]).toEqual(['a', 'b']);
    expect(db.prepare('SELECT id FROM tracks WHERE id = ?').get(99)).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n, SUM(duration) AS s FROM tracks').get()).toEqual({ n: 2, s: 3.75 });
    const r = db.prepare('UPDATE tracks SET popularity = ? WHERE id >= ?').run(5, 1);
    expect(r.changes).toBe(2);
    expect(() => (r as { lastInsertRowid?: unknown }).lastInsertRowid).toThrow(/RETURNING/);
    expect(() => db.prepare('SELECT ?').get({ a: 1 })).toThrow(/named parameters/);
    // an explicit id moves the sequence on, as SQLite takes the largest id + 1
    db.prepare('INSERT INTO tracks (id, sha256) VALUES (?, ?)').run(10, 'c');
    expect(ins.get('d', 'D', 0)).toBe(11);
  });

  it('a hostile string is a value, never SQL', () => {
    const db = open();
    const evil = `x'); DROP TABLE tracks;--`;
    db.prepare('INSERT INTO tracks (sha256, title) VALUES (?, ?)').run('h', evil);
    expect(db.prepare('SELECT title FROM tracks WHERE title = ?').pluck().get(evil)).toBe(evil);
    expect(db.prepare(`SELECT COUNT(*) FROM tracks WHERE title <> '?'`).pluck().get()).toBe(1);
  });

  it('commit, rollback on throw, the return value, nested savepoints, immediate', () => {
    const db = open();
    const add = db.prepare('INSERT INTO tracks (sha256) VALUES (?)');
    const count = () => db.prepare('SELECT COUNT(*) FROM tracks').pluck().get();
    expect(db.transaction((s: string) => (add.run(s), 'done'))('a')).toBe('done');
    expect(() =>
      db.transaction(() => {
        add.run('b');
        throw new Error('no');
      })(),
    ).toThrow('no');
    expect(count()).toBe(1);
    const outer = db.transaction(() => {
      add.run('c');
      expect(db.inTransaction).toBe(true);
      try {
        db.transaction(() => {
          add.run('d');
          add.run('a'); // unique: fails, rolls back to the savepoint (d goes too)
        })();
      } catch {
        // the outer transaction goes on
      }
      add.run('e');
      return db.prepare('SELECT sha256 FROM tracks ORDER BY sha256').pluck().all();
    });
    expect(outer.immediate()).toEqual(['a', 'c', 'e']);
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(3);
    expect(() => db.transaction(async () => 1)()).toThrow(/cannot return a promise/);
    expect(count()).toBe(3);
  });

  it("the data version moves when another connection commits", () => {
    const url = freshPgUrl();
    const db = open(url);
    const other = open(url);
    const v0 = dataVersion(db);
    other.prepare('INSERT INTO tracks (sha256) VALUES (?)').run('x');
    expect(dataVersion(db)).not.toBe(v0);
  });
});

describe.skipIf(PG_SKIP !== null)('PostgreSQL schema', () => {
  it('has the tables, columns and indexes of the SQLite schema, at the same version', () => {
    const lite = openDb(':memory:');
    opened.push(lite);
    const pg = open();
    expect(schemaVersion(pg)).toBe(MIGRATIONS.length);
    const liteCols = lite.prepare(`SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1`).pluck().all();
    const pgCols = pg
      .prepare(`SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'yasr_schema' ORDER BY 1`)
      .pluck()
      .all();
    expect(pgCols).toEqual(liteCols);
    const liteIdx = lite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1`).pluck().all();
    const pgIdx = pg.prepare(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace) ORDER BY 1`).pluck().all();
    expect(pgIdx).toEqual(liteIdx);
  });

  it('two processes opening one new database at once: migrations are applied once, both open it', async () => {
    const url = freshPgUrl();
    const script = `import(${JSON.stringify(path.join(ROOT, 'dist/src/store/db.js'))}).then((m) => { const db = m.openDb(process.argv[1]); process.stdout.write(String(m.schemaVersion(db))); db.close(); })`;
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script, url]);
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (out += d.toString()));
        c.on('close', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a, b]).toEqual([{ code: 0, out: String(MIGRATIONS.length) }, { code: 0, out: String(MIGRATIONS.length) }]);
    const db = open(url);
    expect(db.prepare('SELECT COUNT(*) FROM yasr_schema').pluck().get()).toBe(1);
    expect(db.prepare('SELECT generation FROM pack_state').pluck().all()).toEqual([0]); // migration 10's row, once
  });
});
