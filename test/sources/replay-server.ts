/**
 * A replay server for the catalogue-source tests and the replay benchmark: an HTTP server on
 * 127.0.0.1 (port 0) that answers request path + query with fixture bodies
 * (test/fixtures/sources/<service>/...), and can be told to misbehave per route.
 *
 * Routes: `on('/album/900000101', reply, reply2, ...)`. A route with a query
 * (`'/editorial/0/releases?index=3'`) matches requests carrying those parameters (others may be
 * present); among matching routes the one naming most parameters wins, then the latest added.
 * With several replies, the n-th request to the route gets reply n (the last one repeats), so
 * `on(path, { status: 429, retryAfter: 1 }, { fixture })` is "429, then OK".
 *
 * Bodies are served as they are, except that the real hosts named in fixtures
 * (https://api.deezer.com, https://cdns-preview-X.dzcdn.net, https://itunes.apple.com,
 * https://audio-ssl.itunes.apple.com, https://api.jamendo.com, https://prod-1.storage.jamendo.com,
 * https://archive.org) are rewritten to this server's origin, in plain and in `\/`-escaped form:
 * the fixtures keep the real URLs, the client follows them here.
 *
 * Audio: any request no route matches whose path looks like a CDN preview (/stream/...,
 * /itunes-assets/..., /download/..., '/?trackid=...') gets a short distinct audio file: a tone
 * made once with ffmpeg (MP3; AAC in .m4a for .m4a paths) and a per-URL ID3 tag (MP3), so every
 * URL has its own bytes (one URL = one sha256 = one track). `audio: 'wav'` serves WAVs
 * synthesised in TypeScript instead (no ffmpeg needed, used by the benchmark).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeWav } from '../../src/interop/wav-write.js';

const run = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** test/fixtures/sources (also found from a compiled copy under dist/test/sources). */
export const FIXTURES = [path.resolve(HERE, '..', 'fixtures', 'sources'), path.resolve(HERE, '..', '..', '..', 'test', 'fixtures', 'sources')].find((d) => existsSync(d)) ?? path.resolve(HERE, '..', 'fixtures', 'sources');

/** The body of a fixture file, as stored (bytes untouched). */
export function fixture(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

export function fixtureJson<T = any>(rel: string): T {
  return JSON.parse(fixture(rel)) as T;
}

/** What one request to a route gets. */
export type Reply =
  | {
      /** A fixture under test/fixtures/sources (hosts rewritten). */
      fixture?: string;
      /** A JSON value (serialised) or a raw string / bytes body. */
      json?: unknown;
      body?: string | Buffer;
      status?: number;
      /** Default application/json; charset=utf-8 for fixture/json, else given or none. */
      type?: string;
      headers?: Record<string, string>;
      /** Retry-After header (seconds). */
      retryAfter?: number | string;
      /** Validators: a request repeating them gets 304 Not Modified. */
      etag?: string;
      lastModified?: string;
      /** Milliseconds to wait before answering. */
      delayMs?: number;
    }
  | { fault: 'html'; status?: number }
  | { fault: 'malformed' }
  /** Content-Length promises more than is sent, then the connection is closed. */
  | { fault: 'truncated' }
  /** Never answer (the socket stays open). */
  | { fault: 'stall' }
  /** Send the head and half the body, then nothing more. */
  | { fault: 'stall-mid'; body?: string | Buffer; type?: string }
  | { fault: 'redirect'; location: string; status?: number }
  /** A body of `bytes` bytes (JSON-looking, or audio-typed with `type`). */
  | { fault: 'oversized'; bytes: number; type?: string; noLength?: boolean }
  /** Destroy the socket without an answer. */
  | { fault: 'reset' }
  /** Audio for this URL (as the fallback would make it), optionally with another content type. */
  | { audio: true; type?: string };

export interface Hit {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** ms since the server started */
  at: number;
  /** What was answered (status), set once answered (0 for a stall/reset). */
  status: number;
}

interface Route {
  pathname: string;
  params: [string, string][];
  replies: Reply[];
  hits: number;
  order: number;
}

export interface ReplayOptions {
  /** Answer latency added to every request (ms). */
  latencyMs?: number;
  /** Audio made for preview URLs: 'mp3' (ffmpeg, default) or 'wav' (TypeScript). */
  audio?: 'mp3' | 'wav';
  /** Extra wait before answering a fallback audio request (a slow CDN), ms. */
  audioDelayMs?: number;
  /** Seconds of audio per preview. Default 2. */
  audioSeconds?: number;
  /** Which unmatched paths are audio (default: CDN-like paths). */
  isAudio?: (u: URL) => boolean;
}

const REAL_HOSTS = [
  'https://api.deezer.com',
  'https://cdns-preview-[0-9a-f].dzcdn.net',
  'https://itunes.apple.com',
  'https://audio-ssl.itunes.apple.com',
  'https://api.jamendo.com',
  'https://prod-1.storage.jamendo.com',
  'https://mp3d.jamendo.com',
  'https://archive.org',
];

function defaultIsAudio(u: URL): boolean {
  return /^\/(stream|itunes-assets|download|audio)\//.test(u.pathname) || u.searchParams.has('trackid');
}

/** A minimal ID3v2.3 tag with one TXXX frame: makes the bytes of a copied MP3 unique. */
function id3Tag(text: string): Buffer {
  const value = Buffer.from(`\u0000yasr-test\u0000${text}`, 'latin1');
  const frame = Buffer.alloc(10 + value.length);
  frame.write('TXXX', 0, 'latin1');
  frame.writeUInt32BE(value.length, 4);
  value.copy(frame, 10);
  const size = frame.length;
  const head = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  return Buffer.concat([head, frame]);
}

export class ReplayServer {
  readonly hits: Hit[] = [];
  private readonly routes: Route[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly t0 = Date.now();
  private readonly audioCache = new Map<string, Promise<Buffer>>();
  private readonly baseTones = new Map<string, Promise<Buffer>>();
  private tmp: string | null = null;
  private order = 0;
  origin = '';

  constructor(readonly o: ReplayOptions = {}) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Another name for this server (a different URL host, same process): 'http://localhost:PORT'. */
  get otherHostOrigin(): string {
    return this.origin.replace('127.0.0.1', 'localhost');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Add (or override) a route. */
  on(match: string, ...replies: Reply[]): this {
    const u = new URL(match, 'http://x');
    this.routes.push({ pathname: u.pathname, params: [...u.searchParams], replies, hits: 0, order: this.order++ });
    return this;
  }

  /** Requests whose path starts with `prefix` (and, with a query in it, carry those parameters). */
  count(match?: string): number {
    if (!match) return this.hits.length;
    const u = new URL(match, 'http://x');
    return this.hits.filter((h) => h.path.startsWith(u.pathname) && [...u.searchParams].every(([k, v]) => h.query.get(k) === v)).length;
  }

  /** Hits of exactly this path (any query). */
  hitsOf(pathname: string): Hit[] {
    return this.hits.filter((h) => h.path === pathname);
  }

  /** Forget the request log and per-route counters. */
  reset(): void {
    this.hits.length = 0;
    for (const r of this.routes) r.hits = 0;
  }

  /** Drop every route and the request log (audio already made is kept). */
  clear(): this {
    this.routes.length = 0;
    this.hits.length = 0;
    return this;
  }

  /** Rewrite the real hosts in a body to this server. */
  rewrite(text: string): string {
    let out = text;
    for (const h of REAL_HOSTS) {
      const dots = h.replace(/\./g, '\\.');
      out = out.replace(new RegExp(dots, 'g'), this.origin);
      // JSON that escapes slashes (Jamendo): https:\/\/host
      out = out.replace(new RegExp(dots.replace(/\//g, '\\\\\\/'), 'g'), this.origin.replace(/\//g, '\\/'));
    }
    return out;
  }

  private match(u: URL): Route | undefined {
    let best: Route | undefined;
    for (const r of this.routes) {
      if (r.pathname !== u.pathname) continue;
      if (!r.params.every(([k, v]) => u.searchParams.get(k) === v)) continue;
      if (!best || r.params.length > best.params.length || (r.params.length === best.params.length && r.order > best.order)) best = r;
    }
    return best;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.origin);
    const hit: Hit = { method: req.method ?? 'GET', url: u.pathname + u.search, path: u.pathname, query: u.searchParams, headers: req.headers, at: Date.now() - this.t0, status: 0 };
    this.hits.push(hit);
    res.on('finish', () => (hit.status = res.statusCode));
    try {
      if (this.o.latencyMs) await new Promise((r) => setTimeout(r, this.o.latencyMs));
      const route = this.match(u);
      let reply: Reply;
      if (route) {
        reply = route.replies[Math.min(route.hits, route.replies.length - 1)];
        route.hits++;
      } else if ((this.o.isAudio ?? defaultIsAudio)(u)) reply = { audio: true };
      else reply = { status: 404, json: { error: 'Not Found' } };
      await this.answer(req, res, u, reply);
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String((err as Error).stack ?? err));
      } else res.destroy();
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse, u: URL, r: Reply): Promise<void> {
    if ('fault' in r) {
      switch (r.fault) {
        case 'html': {
          const page = '<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>Service Temporarily Unavailable</h1><p>Please try again later.</p></body></html>\n';
          res.writeHead(r.status ?? 200, { 'content-type': 'text/html; charset=UTF-8', 'content-length': Buffer.byteLength(page) });
          res.end(page);
          return;
        }
        case 'malformed': {
          const body = '{"data":[{"id":1,"title":"Half a reply",';
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
          return;
        }
        case 'truncated': {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': '5000' });
          res.write('{"data":[{"id":1,');
          setTimeout(() => res.destroy(), 20);
          return;
        }
        case 'stall':
          return; // never answered; close() destroys the socket
        case 'stall-mid': {
          const body = Buffer.from(r.body ?? '{"data":[{"id":1,"title":"slow"},{"id":2,"title":"slower"}],"total":2}');
          res.writeHead(200, { 'content-type': r.type ?? 'application/json; charset=utf-8', 'content-length': body.length });
          res.write(body.subarray(0, body.length >> 1));
          return;
        }
        case 'redirect':
          res.writeHead(r.status ?? 302, { location: r.location, 'content-length': 0 });
          res.end();
          return;
        case 'oversized': {
          const head: Record<string, string | number> = { 'content-type': r.type ?? 'application/json; charset=utf-8' };
          if (!r.noLength) head['content-length'] = r.bytes;
          res.writeHead(200, head);
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let left = r.bytes;
          const pump = () => {
            while (left > 0) {
              const n = Math.min(left, chunk.length);
              left -= n;
              if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
                res.once('drain', pump);
                return;
              }
            }
            res.end();
          };
          res.on('error', () => undefined);
          pump();
          return;
        }
        case 'reset':
          req.socket.destroy();
          return;
      }
    }
    if ('audio' in r) {
      const { body, type } = await this.audioFor(u);
      res.writeHead(200, { 'content-type': r.type ?? type, 'content-length': body.length, 'accept-ranges': 'bytes' });
      res.end(body);
      return;
    }
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
    if (r.retryAfter !== undefined) headers['retry-after'] = String(r.retryAfter);
    if (r.etag) headers.etag = r.etag;
    if (r.lastModified) headers['last-modified'] = r.lastModified;
    const fresh =
      (r.etag !== undefined && req.headers['if-none-match'] === r.etag) ||
      (r.etag === undefined && r.lastModified !== undefined && req.headers['if-modified-since'] === r.lastModified);
    if (fresh) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    let body: Buffer;
    let type = r.type;
    if (r.fixture !== undefined) {
      body = Buffer.from(this.rewrite(fixture(r.fixture)));
      type ??= 'application/json; charset=utf-8';
    } else if (r.json !== undefined) {
      body = Buffer.from(this.rewrite(JSON.stringify(r.json)));
      type ??= 'application/json; charset=utf-8';
    } else body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body ?? '');
    if (type) headers['content-type'] = type;
    headers['content-length'] = body.length;
    res.writeHead(r.status ?? 200, headers);
    res.end(body);
  }

  /** Distinct short audio for a URL (cached). */
  audioFor(u: URL): Promise<{ body: Buffer; type: string }> {
    const key = u.pathname + u.search;
    const m4a = /\.m4a$/i.test(u.pathname);
    const type = m4a ? 'audio/x-m4a' : this.o.audio === 'wav' ? 'audio/wav' : 'audio/mpeg';
    let p = this.audioCache.get(key);
    if (!p) {
      p = this.makeAudio(key, m4a);
      this.audioCache.set(key, p);
    }
    return p.then((body) => ({ body, type }));
  }

  private async makeAudio(key: string, m4a: boolean): Promise<Buffer> {
    const h = createHash('sha256').update(key).digest();
    const freq = 220 + (h.readUInt16BE(0) % 880) + h[2] / 256;
    const seconds = this.o.audioSeconds ?? 2;
    if (this.o.audio === 'wav' && !m4a) {
      const sr = 8000;
      const x = new Float32Array(Math.round(sr * seconds));
      for (let i = 0; i < x.length; i++) x[i] = 0.4 * Math.sin((2 * Math.PI * freq * i) / sr) + 0.05 * Math.sin((2 * Math.PI * 3.1 * freq * i) / sr);
      return encodeWav(x, sr);
    }
    this.tmp ??= mkdtempSync(path.join(os.tmpdir(), 'yasr-replay-audio-'));
    if (m4a) {
      const out = path.join(this.tmp, `${h.toString('hex').slice(0, 16)}.m4a`);
      await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${freq.toFixed(2)}:duration=${seconds}`, '-c:a', 'aac', '-b:a', '64k', '-metadata', `comment=${key}`, out]);
      return readFileSync(out);
    }
    // a handful of base tones, each URL gets one with its own ID3 tag in front
    const tone = String(h[3] % 4);
    let base = this.baseTones.get(tone);
    if (!base) {
      const out = path.join(this.tmp, `tone-${tone}.mp3`);
      base = run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${[330, 440, 554, 659][Number(tone)]}:duration=${seconds}`, '-ac', '1', '-ar', '22050', '-c:a', 'libmp3lame', '-b:a', '48k', '-id3v2_version', '0', '-write_xing', '0', out]).then(() => readFileSync(out));
      this.baseTones.set(tone, base);
    }
    return Buffer.concat([id3Tag(key), await base]);
  }
}

export async function startReplay(o: ReplayOptions = {}): Promise<ReplayServer> {
  return new ReplayServer(o).start();
}

/** The Deezer fixtures of a week of new releases (test/fixtures/sources/deezer), as routes. */
export function deezerWeek(s: ReplayServer): ReplayServer {
  s.on('/editorial/0/releases', { fixture: 'deezer/editorial-0-releases.json' });
  s.on('/editorial/0/releases?index=3', { fixture: 'deezer/editorial-0-releases-index-3.json' });
  for (const id of [900000101, 900000102, 900000103, 900000104]) s.on(`/album/${id}`, { fixture: `deezer/album-${id}.json` });
  s.on('/album/900000105', { fixture: 'deezer/error-no-data.json' });
  for (const id of [5500001, 5500002, 5500003, 5500004, 5500005]) s.on(`/artist/${id}`, { fixture: `deezer/artist-${id}.json` });
  s.on('/artist/5500003/albums', { fixture: 'deezer/artist-5500003-albums.json' });
  s.on('/search?q=sodium', { fixture: 'deezer/search-sodium.json' });
  s.on('/search', { fixture: 'deezer/search-empty.json' });
  return s;
}
