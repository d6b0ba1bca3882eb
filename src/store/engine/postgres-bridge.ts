/**
 * The worker thread behind a PostgreSQL store (postgres-channel.ts): it holds the `pg` client,
 * runs what the main thread posts on its port, posts the reply and wakes the main thread, which
 * waits for it with Atomics.wait (the store's calls stay synchronous).
 *
 * Signal words (Int32 in the shared buffer): [0] 1 when a reply was posted; [1] 1 once this
 * thread is ending (the main thread then stops waiting for a reply).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Client } from 'pg';

export interface BridgeData {
  port: MessagePort;
  signal: SharedArrayBuffer;
  connectionString: string;
  connectTimeoutMs: number;
  /** Server-side statement_timeout (0: none). */
  statementTimeoutMs: number;
  /** How long a statement waits for a lock (SQLite's busy_timeout). */
  lockTimeoutMs: number;
}

export type BridgeRequest =
  | { id: number; op: 'connect' }
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' }
  | { id: number; op: 'crash' };

export interface BridgeError {
  /** connection: the connection failed or was lost; query: the server refused a statement. */
  kind: 'connection' | 'query';
  message: string;
  /** SQLSTATE of a server error, or a Node error code (ECONNREFUSED, ...). */
  code: string | null;
  detail: string | null;
}

export type BridgeReply =
  | { id: number; ok: true; rows: unknown[][]; fields: string[]; bytea: number[]; rowCount: number }
  | { id: number; ok: false; error: BridgeError };

const data = workerData as BridgeData;
const port = data.port;
const signal = new Int32Array(data.signal);

type PgModule = typeof import('pg');
let pgModule: PgModule | undefined;

/** `pg`, loaded when connecting (so that a missing module is a reply, not a thread that never starts). */
async function loadPg(): Promise<PgModule> {
  if (!pgModule) {
    pgModule = (await import('pg')).default as PgModule;
    // better-sqlite3 gives numbers: int8 (COUNT, BIGINT columns) and numeric (SUM of BIGINT) too.
    pgModule.types.setTypeParser(20, (v: string) => Number(v));
    pgModule.types.setTypeParser(1700, (v: string) => Number(v));
  }
  return pgModule;
}

let client: Client | null = null;
let lost: BridgeError | null = null;
let current = 0;

function post(msg: BridgeReply): void {
  port.postMessage(msg);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function ending(): void {
  Atomics.store(signal, 1, 1);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function describe(err: unknown, connecting: boolean): BridgeError {
  const e = err as { message?: string; code?: string; detail?: string; severity?: string };
  const code = typeof e?.code === 'string' ? e.code : null;
  const message = (e?.message ?? String(err)).split('\n')[0];
  const server = typeof e?.severity === 'string';
  // SQLSTATE classes 08 (connection), 28 (authorisation), 3D (no such database), 57P (shut down)
  const connection = connecting || !server || (code !== null && /^(08|28|3D|57P0[1-3])/.test(code));
  return { kind: connection ? 'connection' : 'query', message, code, detail: typeof e?.detail === 'string' ? e.detail : null };
}

/** Values as pg binds them; Uint8Array (a Buffer after the trip between threads) -> Buffer. */
function bindable(v: unknown): unknown {
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

async function handle(m: BridgeRequest): Promise<BridgeReply> {
  if (m.op === 'crash') {
    setImmediate(() => {
      throw new Error('the bridge was told to crash (a test)');
    });
    return new Promise(() => undefined);
  }
  if (m.op === 'connect') {
    let pg: PgModule;
    try {
      pg = await loadPg();
    } catch (err) {
      return { id: m.id, ok: false, error: { kind: 'connection', message: `cannot load the pg module: ${(err as Error).message.split('\n')[0]}`, code: null, detail: null } };
    }
    const c = new pg.Client({
      connectionString: data.connectionString,
      connectionTimeoutMillis: data.connectTimeoutMs,
      keepAlive: true,
      application_name: 'yasr',
    });
    c.on('error', (err) => {
      lost = describe(err, false);
      lost.kind = 'connection';
    });
    try {
      await c.connect();
      await c.query(
        `SET lock_timeout = ${Math.max(0, Math.round(data.lockTimeoutMs))}; SET statement_timeout = ${Math.max(0, Math.round(data.statementTimeoutMs))}`,
      );
    } catch (err) {
      c.end().catch(() => undefined);
      return { id: m.id, ok: false, error: describe(err, true) };
    }
    client = c;
    return { id: m.id, ok: true, rows: [], fields: [], bytea: [], rowCount: 0 };
  }
  if (m.op === 'close') {
    const c = client;
    client = null;
    if (c) await c.end().catch(() => undefined);
    return { id: m.id, ok: true, rows: [], fields: [], bytea: [], rowCount: 0 };
  }
  if (lost) return { id: m.id, ok: false, error: lost };
  if (!client) return { id: m.id, ok: false, error: { kind: 'connection', message: 'the connection is closed', code: null, detail: null } };
  try {
    if (m.op === 'exec') {
      await client.query(m.sql);
      return { id: m.id, ok: true, rows: [], fields: [], bytea: [], rowCount: 0 };
    }
    const r = await client.query({ text: m.sql, values: m.params.map(bindable), rowMode: 'array' });
    const fields = (r.fields ?? []).map((f) => f.name);
    const bytea: number[] = [];
    (r.fields ?? []).forEach((f, i) => {
      if (f.dataTypeID === 17) bytea.push(i);
    });
    return { id: m.id, ok: true, rows: (r.rows ?? []) as unknown[][], fields, bytea, rowCount: r.rowCount ?? 0 };
  } catch (err) {
    const e = describe(err, false);
    if (e.kind === 'connection') lost = e;
    return { id: m.id, ok: false, error: e };
  }
}

process.on('uncaughtException', (err) => {
  port.postMessage({ id: current, ok: false, error: { kind: 'connection', message: `the connection thread failed: ${(err as Error)?.message ?? String(err)}`, code: null, detail: null } } satisfies BridgeReply);
  ending();
  process.exit(1);
});
process.on('exit', ending);

port.on('message', (m: BridgeRequest) => {
  current = m.id;
  handle(m).then(post, (err: unknown) => post({ id: m.id, ok: false, error: describe(err, false) }));
});
