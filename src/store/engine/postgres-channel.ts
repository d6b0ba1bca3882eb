/**
 * A synchronous line to the `pg` client in a worker thread (postgres-bridge.ts), the technique of
 * synckit: post the request on a MessagePort, block in Atomics.wait on a SharedArrayBuffer until
 * the worker says a reply is there, read it with receiveMessageOnPort. The main thread's event
 * loop never runs while it waits, so all that can end a wait is the worker's signal or the wait
 * limit; a worker that ends (or fails) sets its own "ending" word first.
 *
 * Every failure of the line itself (cannot connect, connection lost, no answer in time, worker
 * gone) is one line, a YasrError('STORE'), naming the database with its password masked; what
 * the server refuses (a constraint, a syntax error) is a PgQueryError with the SQLSTATE.
 */
import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import { YasrError } from '../../errors.js';
import { workerFile } from '../../util/worker-url.js';
import type { BridgeData, BridgeError, BridgeReply, BridgeRequest } from './postgres-bridge.js';

/** Distributive Omit: a request without its id, for each kind of request. */
type Request = BridgeRequest extends infer R ? (R extends BridgeRequest ? Omit<R, 'id'> : never) : never;

/** A statement the server refused: `code` is 'PG_' + SQLSTATE (errors.ts isStoreError knows it). */
export class PgQueryError extends Error {
  readonly code: string;
  readonly sqlState: string;
  readonly detail: string | null;
  constructor(e: BridgeError) {
    const detail = e.detail && e.detail.length <= 300 ? ` (${e.detail})` : '';
    super(`${e.message}${detail}`);
    this.name = 'PgQueryError';
    this.sqlState = e.code ?? '';
    this.code = `PG_${e.code ?? 'ERROR'}`;
    this.detail = e.detail;
  }
}

export interface ChannelOptions {
  connectionString: string;
  /** The database as messages show it (password masked). */
  display: string;
  connectTimeoutMs: number;
  /** A query's answer is awaited at most this long (0: no limit); the server's statement_timeout is the same. */
  queryTimeoutMs: number;
  lockTimeoutMs: number;
}

const SLICE_MS = 200;

// loaded when a PostgreSQL store is opened, not at every start (a SQLite run never needs threads)
const require = createRequire(import.meta.url);
let threads: typeof import('node:worker_threads') | undefined;
const wt = (): typeof import('node:worker_threads') => (threads ??= require('node:worker_threads') as typeof import('node:worker_threads'));
/** Beyond the statement_timeout, the time the server's cancellation gets to come back. */
const GRACE_MS = 5000;

export class PgChannel {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private seq = 0;
  private dead: string | null = null;

  constructor(private readonly o: ChannelOptions) {
    const shared = new SharedArrayBuffer(8);
    this.signal = new Int32Array(shared);
    const { port1, port2 } = new (wt().MessageChannel)();
    this.port = port1;
    const workerData: BridgeData = {
      port: port2,
      signal: shared,
      connectionString: o.connectionString,
      connectTimeoutMs: o.connectTimeoutMs,
      statementTimeoutMs: o.queryTimeoutMs,
      lockTimeoutMs: o.lockTimeoutMs,
    };
    this.worker = new (wt().Worker)(workerFile(import.meta.url, 'postgres-bridge'), {
      workerData,
      transferList: [port2],
      // not the parent's flags: `node -e CODE` would run CODE again in the thread
      execArgv: [],
    });
    this.worker.unref();
    this.worker.on('error', (err) => (this.dead ??= `the connection thread failed: ${err.message}`));
    this.worker.on('exit', (code) => (this.dead ??= `the connection thread ended (exit status ${code})`));
  }

  get closed(): boolean {
    return this.dead !== null;
  }

  /** Connect; throws the one-line reason when that fails (the channel is then closed). */
  connect(): void {
    try {
      this.call({ op: 'connect' }, this.o.connectTimeoutMs + GRACE_MS);
    } catch (err) {
      this.kill('not connected');
      if (err instanceof PgQueryError) throw this.fail(`cannot connect to PostgreSQL at ${this.o.display}: ${err.message}`);
      throw err;
    }
  }

  query(sql: string, params: unknown[]): Extract<BridgeReply, { ok: true }> {
    return this.call({ op: 'query', sql, params }, this.o.queryTimeoutMs > 0 ? this.o.queryTimeoutMs + GRACE_MS : 0);
  }

  exec(sql: string): void {
    this.call({ op: 'exec', sql }, this.o.queryTimeoutMs > 0 ? this.o.queryTimeoutMs + GRACE_MS : 0);
  }

  close(): void {
    if (this.dead) return;
    try {
      this.call({ op: 'close' }, 5000);
    } catch {
      // closing anyway
    }
    this.kill('closed');
  }

  /** Tests: make the worker thread fail as a crash would. */
  crashForTesting(): void {
    this.call({ op: 'crash' }, 10_000);
  }

  private kill(why: string): void {
    this.dead ??= why;
    void this.worker.terminate().catch(() => undefined);
    this.port.close();
  }

  private fail(message: string): YasrError {
    return new YasrError('STORE', message, { database: this.o.display });
  }

  private call(req: Request, timeoutMs: number): Extract<BridgeReply, { ok: true }> {
    if (this.dead) throw this.fail(`no connection to PostgreSQL at ${this.o.display}: ${this.dead}`);
    const id = ++this.seq;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ ...req, id });
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    for (;;) {
      Atomics.wait(this.signal, 0, 0, Math.max(1, Math.min(SLICE_MS, deadline - Date.now())));
      for (let m = wt().receiveMessageOnPort(this.port); m; m = wt().receiveMessageOnPort(this.port)) {
        const reply = m.message as BridgeReply;
        if (reply.id !== id) continue; // an answer to a request given up on
        if (reply.ok) return reply;
        const e = reply.error;
        if (e.kind === 'query') throw new PgQueryError(e);
        const reason = connectionReason(e, req.op === 'connect' ? this.o.connectTimeoutMs : null);
        if (req.op === 'connect') {
          this.kill('not connected');
          throw this.fail(`cannot connect to PostgreSQL at ${this.o.display}: ${reason}`);
        }
        this.kill(`the connection was lost: ${reason}`);
        throw this.fail(`lost the connection to PostgreSQL at ${this.o.display}: ${reason}`);
      }
      if (Atomics.load(this.signal, 1) !== 0) {
        this.kill('the connection thread ended');
        throw this.fail(`no connection to PostgreSQL at ${this.o.display}: the connection thread ended unexpectedly`);
      }
      if (Atomics.load(this.signal, 0) !== 0) Atomics.store(this.signal, 0, 0);
      if (Date.now() >= deadline) {
        const s = Math.round(timeoutMs / 1000);
        this.kill(`no answer within ${s} s`);
        throw this.fail(
          req.op === 'connect'
            ? `cannot connect to PostgreSQL at ${this.o.display}: no answer within ${s} s`
            : `PostgreSQL at ${this.o.display} gave no answer within ${s} s (query_timeout); the connection is closed`,
        );
      }
    }
  }
}

/** Why a connection failed or was lost, in words (`connectTimeoutMs` when connecting). */
function connectionReason(e: BridgeError, connectTimeoutMs: number | null): string {
  const m = e.message;
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the server running and accepting TCP connections?)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `unknown host (${e.code})`;
  if (connectTimeoutMs !== null && /timeout|timed out/i.test(m)) return `no answer within ${Math.round(connectTimeoutMs / 1000)} s (connect_timeout)`;
  return e.code ? `${m} (${e.code})` : m;
}
