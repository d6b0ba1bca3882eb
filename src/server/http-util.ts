/** Small HTTP helpers for the server: JSON replies, one error type, bounded bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { YasrError } from '../errors.js';

/** An error with an HTTP status; its message is shown to the client as it is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

/** Any thrown value as a JSON error: typed errors keep their message, others become a plain 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
  if (err instanceof YasrError) {
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'BAD_PARAMETER' || err.code === 'BAD_INPUT' || err.code === 'AMBIGUOUS' ? 400 : err.code === 'DECODE_FAILED' || err.code === 'ANALYSIS_FAILED' ? 422 : 500;
    return sendJson(res, status, { error: err.message.split('\n')[0] });
  }
  sendJson(res, 500, { error: 'internal error (see the server log)' });
}

/** Read a request body up to `max` bytes (413 beyond). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const len = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(len) && len > max) {
      reject(new HttpError(413, `body larger than ${max} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        reject(new HttpError(413, `body larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, max = 64 * 1024): Promise<Record<string, unknown>> {
  const body = await readBody(req, max);
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'the body must be a JSON object');
  return v as Record<string, unknown>;
}

/** Query parameters, each read once with its own validation. */
export class Params {
  constructor(private readonly q: URLSearchParams) {}

  str(name: string, def?: string): string | undefined {
    const v = this.q.get(name);
    return v === null || v === '' ? def : v;
  }

  int(name: string, def: number, min: number, max: number): number {
    const v = this.q.get(name);
    if (v === null || v === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `invalid ${name}: ${JSON.stringify(v)} (expected an integer from ${min} to ${max})`);
    return n;
  }

  optInt(name: string, min: number, max: number): number | undefined {
    return this.q.get(name) ? this.int(name, 0, min, max) : undefined;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.q.get(name);
    if (v === null || v === '') return def;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw new HttpError(400, `invalid ${name}: ${JSON.stringify(v)} (expected true or false)`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], def: T): T {
    const v = this.q.get(name);
    if (v === null || v === '') return def;
    if (!(allowed as readonly string[]).includes(v)) throw new HttpError(400, `invalid ${name}: ${JSON.stringify(v)} (expected one of ${allowed.join(', ')})`);
    return v as T;
  }
}

/** A positive integer id from a path segment, else 404 (not 500). */
export function idParam(v: string | undefined, what = 'track'): number {
  if (!v || !/^\d{1,12}$/.test(v)) throw new HttpError(404, `no such ${what}: ${JSON.stringify(v ?? '')}`);
  return Number(v);
}
