import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { YasrError } from '../../src/errors.js';
import { downloadToStore, formatBytes, formatDuration, type DownloadOptions } from '../../src/ingest/download.js';

/** Deterministic pseudo-random body. */
function body(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const AUDIO = body(10_000);
const LARGE = body(12 * 1024 * 1024, 7);
const counts = new Map<string, number>();
let base = '';
let server: http.Server;

function hit(p: string): number {
  const n = (counts.get(p) ?? 0) + 1;
  counts.set(p, n);
  return n;
}

function sendAudio(res: http.ServerResponse, data = AUDIO, type = 'audio/mpeg'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': data.length });
  res.end(data);
}

/** Headers claim 5000 bytes, 1000 are sent, then the connection is closed cleanly or reset. */
function cutBody(res: http.ServerResponse, how: 'end' | 'destroy'): void {
  res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 5000 });
  res.write(AUDIO.subarray(0, 1000), () => {
    if (how === 'end') res.socket?.end();
    else res.socket?.destroy();
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const n = hit(p);
    if (p === '/ok/song.mp3') return sendAudio(res);
    if (p === '/no-ext') return sendAudio(res, AUDIO, 'audio/flac; charset=binary');
    if (p === '/weird/..%2F..%2Fevil.sh') return sendAudio(res, AUDIO, 'application/octet-stream');
    if (p === '/missing.mp3') {
      res.writeHead(404);
      return res.end('not here');
    }
    if (p === '/flaky.mp3') {
      if (n === 1) {
        res.writeHead(500);
        return res.end();
      }
      return sendAudio(res);
    }
    if (p === '/always500.mp3') {
      res.writeHead(500);
      return res.end();
    }
    if (p === '/busy.mp3') {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '2' });
        return res.end();
      }
      return sendAudio(res);
    }
    if (p === '/reset-once.mp3') {
      if (n === 1) return cutBody(res, 'destroy');
      return sendAudio(res);
    }
    if (p === '/reset-always.mp3') return cutBody(res, 'destroy');
    if (p === '/reset-chunked.mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      res.write(AUDIO.subarray(0, 700), () => res.socket?.destroy());
      return;
    }
    if (p === '/cut.mp3') return cutBody(res, 'end');
    if (p === '/stall.mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': AUDIO.length });
      res.write(AUDIO.subarray(0, 100));
      return; // ... and nothing more
    }
    if (p === '/no-response.mp3') return; // never answers
    if (p === '/loop-a') {
      res.writeHead(302, { location: '/loop-b' });
      return res.end();
    }
    if (p === '/loop-b') {
      res.writeHead(301, { location: `${base}/loop-a` });
      return res.end();
    }
    const chain = /^\/chain\/(\d+)$/.exec(p);
    if (chain) {
      const k = Number(chain[1]);
      if (k === 0) {
        res.writeHead(307, { location: '/final/track.ogg?sig=abc' });
        return res.end();
      }
      res.writeHead(302, { location: `/chain/${k - 1}` });
      return res.end();
    }
    if (p === '/large.wav') {
      // Written in 64 KiB pieces, honouring back-pressure.
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': LARGE.length });
      let off = 0;
      const more = (): void => {
        while (off < LARGE.length) {
          const piece = LARGE.subarray(off, off + 65536);
          off += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      return more();
    }
    if (p === '/final/track.ogg') return sendAudio(res, AUDIO, 'audio/ogg');
    if (p === '/big-cl.mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 5000 });
      return res.end(body(5000));
    }
    if (p === '/big-chunked.mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg' }); // no Content-Length: chunked
      let i = 0;
      const more = (): void => {
        if (i++ >= 5) return void res.end();
        res.write(body(800, i), () => setTimeout(more, 5));
      };
      return more();
    }
    if (p === '/page.mp3') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<html>login</html>');
    }
    if (p === '/empty.mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 0 });
      return res.end();
    }
    if (p === '/forbidden.mp3') {
      res.writeHead(403);
      return res.end();
    }
    if (p === '/timeout408.mp3') {
      res.writeHead(408);
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let storeDir = '';
let sleeps: number[] = [];
beforeEach(() => {
  counts.clear();
  sleeps = [];
  storeDir = mkdtempSync(path.join(os.tmpdir(), 'yasr-dl-test-'));
});
afterEach(() => {
  rmSync(storeDir, { recursive: true, force: true });
});

/** Fast options: no real waiting between retries (delays are recorded). */
function opts(extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    storeDir,
    timeoutMs: 2000,
    retries: 2,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  };
}

/** Every file under storeDir, relative. */
function listAll(dir = storeDir, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...listAll(dir, r));
    else out.push(r);
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<YasrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(YasrError);
    return err as YasrError;
  }
  throw new Error('expected the download to fail');
}

describe('downloadToStore: success', () => {
  it('stores a 200 OK body at its content hash path', async () => {
    const r = await downloadToStore(`${base}/ok/song.mp3`, opts());
    const h = sha(AUDIO);
    expect(r.sha256).toBe(h);
    expect(r.bytes).toBe(AUDIO.length);
    expect(r.path).toBe(path.join(storeDir, h.slice(0, 2), `${h}.mp3`));
    expect(r.contentType).toBe('audio/mpeg');
    expect(r.attempts).toBe(1);
    expect(readFileSync(r.path).equals(AUDIO)).toBe(true);
    expect(listAll()).toEqual([path.join(h.slice(0, 2), `${h}.mp3`)]);
  });

  it('takes the extension from Content-Type when the URL has none', async () => {
    const r = await downloadToStore(`${base}/no-ext`, opts());
    expect(path.basename(r.path)).toBe(`${r.sha256}.flac`);
  });

  it('never takes a traversing name from the URL', async () => {
    const r = await downloadToStore(`${base}/weird/..%2F..%2Fevil.sh`, opts());
    expect(path.dirname(r.path)).toBe(path.join(storeDir, r.sha256.slice(0, 2)));
    expect(path.basename(r.path)).toBe(`${r.sha256}.bin`);
  });

  it('downloading the same content twice keeps one file', async () => {
    const a = await downloadToStore(`${base}/ok/song.mp3`, opts());
    const b = await downloadToStore(`${base}/ok/song.mp3`, opts());
    expect(b.path).toBe(a.path);
    expect(listAll()).toHaveLength(1);
  });

  it('streams a multi-MiB body intact', async () => {
    const r = await downloadToStore(`${base}/large.wav`, opts());
    expect(r.bytes).toBe(LARGE.length);
    expect(r.sha256).toBe(sha(LARGE));
    expect(readFileSync(r.path).equals(LARGE)).toBe(true);
    expect(listAll()).toHaveLength(1);
  });

  it('concurrent downloads of the same content end with one intact file', async () => {
    const rs = await Promise.all([1, 2, 3].map(() => downloadToStore(`${base}/ok/song.mp3`, opts())));
    expect(new Set(rs.map((r) => r.path)).size).toBe(1);
    expect(readFileSync(rs[0].path).equals(AUDIO)).toBe(true);
    expect(listAll()).toHaveLength(1);
  });

  it('follows a redirect chain that ends fine (extension from the final URL)', async () => {
    const r = await downloadToStore(`${base}/chain/3`, opts());
    expect(r.finalUrl).toBe(`${base}/final/track.ogg?sig=abc`);
    expect(path.basename(r.path)).toBe(`${r.sha256}.ogg`);
    expect(r.attempts).toBe(1);
    expect(counts.get('/final/track.ogg')).toBe(1);
  });
});

describe('downloadToStore: retries', () => {
  it('404: no retry, clear error', async () => {
    const e = await failure(downloadToStore(`${base}/missing.mp3`, opts()));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe(`${base}/missing.mp3: HTTP 404 Not Found`);
    expect(counts.get('/missing.mp3')).toBe(1);
    expect(sleeps).toEqual([]);
    expect(listAll()).toEqual([]);
  });

  it('403: no retry', async () => {
    const e = await failure(downloadToStore(`${base}/forbidden.mp3`, opts()));
    expect(e.message).toMatch(/HTTP 403 Forbidden$/);
    expect(counts.get('/forbidden.mp3')).toBe(1);
  });

  it('408 is retried', async () => {
    const e = await failure(downloadToStore(`${base}/timeout408.mp3`, opts({ retries: 1 })));
    expect(e.message).toMatch(/HTTP 408 Request Timeout \(gave up after 2 attempts\)$/);
    expect(counts.get('/timeout408.mp3')).toBe(2);
  });

  it('500 then 200: retried and succeeds', async () => {
    const r = await downloadToStore(`${base}/flaky.mp3`, opts());
    expect(r.attempts).toBe(2);
    expect(r.sha256).toBe(sha(AUDIO));
    expect(sleeps).toEqual([500]);
    expect(listAll()).toHaveLength(1);
  });

  it('always 500: gives up after the retries, with exponential backoff', async () => {
    const e = await failure(downloadToStore(`${base}/always500.mp3`, opts({ retries: 3 })));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe(`${base}/always500.mp3: HTTP 500 Internal Server Error (gave up after 4 attempts)`);
    expect(counts.get('/always500.mp3')).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(e.details?.attempts).toBe(4);
    expect(listAll()).toEqual([]);
  });

  it('429 honours Retry-After', async () => {
    const r = await downloadToStore(`${base}/busy.mp3`, opts({ backoffMs: 10 }));
    expect(r.attempts).toBe(2);
    expect(sleeps).toEqual([2000]);
  });

  it('retries: 0 makes one request', async () => {
    await failure(downloadToStore(`${base}/always500.mp3`, opts({ retries: 0 })));
    expect(counts.get('/always500.mp3')).toBe(1);
  });
});

describe('downloadToStore: broken transfers leave nothing behind', () => {
  it('connection reset mid-body is retried', async () => {
    const r = await downloadToStore(`${base}/reset-once.mp3`, opts());
    expect(r.attempts).toBe(2);
    expect(readFileSync(r.path).equals(AUDIO)).toBe(true);
    expect(listAll()).toHaveLength(1);
  });

  it('connection reset every time: gives up', async () => {
    const e = await failure(downloadToStore(`${base}/reset-always.mp3`, opts({ retries: 1 })));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/body cut short: \d+ of 5000 bytes \(gave up after 2 attempts\)$/);
    expect(counts.get('/reset-always.mp3')).toBe(2);
    expect(listAll()).toEqual([]);
  });

  it('connection reset on a chunked body (no Content-Length)', async () => {
    const e = await failure(downloadToStore(`${base}/reset-chunked.mp3`, opts({ retries: 0 })));
    expect(e.message).toMatch(/connection lost after \d+ bytes/);
    expect(listAll()).toEqual([]);
  });

  it('stalled server: aborts after timeoutMs of silence', async () => {
    const e = await failure(downloadToStore(`${base}/stall.mp3`, opts({ timeoutMs: 300, retries: 1 })));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe(`${base}/stall.mp3: stalled: no data for 300 ms (gave up after 2 attempts)`);
    expect(counts.get('/stall.mp3')).toBe(2);
    expect(listAll()).toEqual([]);
  });

  it('server that never answers: aborts after timeoutMs', async () => {
    const e = await failure(downloadToStore(`${base}/no-response.mp3`, opts({ timeoutMs: 300, retries: 0 })));
    expect(e.message).toBe(`${base}/no-response.mp3: stalled: no response for 300 ms`);
    expect(listAll()).toEqual([]);
  });

  it('body cut short (Content-Length larger than what was sent)', async () => {
    const e = await failure(downloadToStore(`${base}/cut.mp3`, opts({ retries: 0 })));
    expect(e.message).toBe(`${base}/cut.mp3: body cut short: 1000 of 5000 bytes`);
    expect(listAll()).toEqual([]);
  });

  it('redirect loop is detected, not retried', async () => {
    const e = await failure(downloadToStore(`${base}/loop-a`, opts()));
    expect(e.message).toBe(`${base}/loop-a: redirect loop: ${base}/loop-a visited twice`);
    expect(counts.get('/loop-a')).toBe(1);
    expect(sleeps).toEqual([]);
    expect(listAll()).toEqual([]);
  });

  it('too many redirects', async () => {
    const e = await failure(downloadToStore(`${base}/chain/6`, opts()));
    expect(e.message).toBe(`${base}/chain/6: too many redirects (6)`);
    expect(listAll()).toEqual([]);
  });

  it('maxRedirects: 0 refuses any redirect', async () => {
    const e = await failure(downloadToStore(`${base}/chain/0`, opts({ maxRedirects: 0 })));
    expect(e.message).toMatch(/too many redirects \(1\)$/);
  });

  it('over the size limit by Content-Length: refused before reading, no retry', async () => {
    const e = await failure(downloadToStore(`${base}/big-cl.mp3`, opts({ maxBytes: 1000 })));
    expect(e.message).toBe(`${base}/big-cl.mp3: larger than the 1000 bytes limit (Content-Length 5000 bytes)`);
    expect(counts.get('/big-cl.mp3')).toBe(1);
    expect(listAll()).toEqual([]);
  });

  it('over the size limit without Content-Length (chunked): aborted while reading, no retry', async () => {
    const e = await failure(downloadToStore(`${base}/big-chunked.mp3`, opts({ maxBytes: 1000 })));
    expect(e.message).toBe(`${base}/big-chunked.mp3: larger than the 1000 bytes limit`);
    expect(counts.get('/big-chunked.mp3')).toBe(1);
    expect(listAll()).toEqual([]);
  });

  it('exactly maxBytes is accepted', async () => {
    const r = await downloadToStore(`${base}/ok/song.mp3`, opts({ maxBytes: AUDIO.length }));
    expect(r.bytes).toBe(AUDIO.length);
  });

  it('an HTML page is refused', async () => {
    const e = await failure(downloadToStore(`${base}/page.mp3`, opts()));
    expect(e.message).toMatch(/text\/html/);
    expect(listAll()).toEqual([]);
  });

  it('an empty body is refused', async () => {
    const e = await failure(downloadToStore(`${base}/empty.mp3`, opts()));
    expect(e.message).toMatch(/empty body/);
    expect(listAll()).toEqual([]);
  });

  it('connection refused is a NETWORK error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(downloadToStore(`http://127.0.0.1:${port}/x.mp3`, opts({ retries: 1 })));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/connection refused \(gave up after 2 attempts\)$/);
    expect(listAll()).toEqual([]);
  });

  it('an abort signal stops without retrying', async () => {
    const ac = new AbortController();
    const p = downloadToStore(`${base}/stall.mp3`, opts({ timeoutMs: 5000, signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    const e = await failure(p);
    expect(e.message).toMatch(/aborted/);
    expect(counts.get('/stall.mp3')).toBe(1);
    expect(listAll()).toEqual([]);
  });
});

describe('downloadToStore: parameters', () => {
  it('rejects non-http URLs and bad options', async () => {
    await expect(downloadToStore('ftp://example.com/a.mp3', opts())).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await expect(downloadToStore('not a url', opts())).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await expect(downloadToStore(`${base}/ok/song.mp3`, opts({ retries: -1 }))).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await expect(downloadToStore(`${base}/ok/song.mp3`, opts({ maxBytes: 1.5 }))).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
  });

  it('creates a missing store folder', async () => {
    const nested = path.join(storeDir, 'a', 'b');
    const r = await downloadToStore(`${base}/ok/song.mp3`, opts({ storeDir: nested }));
    expect(statSync(r.path).size).toBe(AUDIO.length);
  });

  it('formats limits and durations for messages', () => {
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(300)).toBe('300 ms');
  });
});
