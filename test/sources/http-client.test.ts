/**
 * The JSON client every catalogue adapter uses (src/sources/http-json.ts), its rate limiter and
 * its reply cache, against the replay server: retries and back-off (Retry-After honoured),
 * redirects (same host only), HTML / malformed / truncated / oversized replies, stalls,
 * ETag and Last-Modified revalidation, and a second listing answered from the cache.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpJson, maskSecrets, type HttpJsonOptions } from '../../src/sources/http-json.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { parseRate, RateLimiter } from '../../src/sources/rate-limiter.js';
import { ReplyCache } from '../../src/sources/reply-cache.js';
import { deezerWeek, startReplay, type ReplayServer } from './replay-server.js';
import { list } from './helpers.js';

let s: ReplayServer;
beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  s.clear();
});

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'yasr-http-'));
}

function client(o: Partial<HttpJsonOptions> = {}): HttpJson {
  return new HttpJson({ name: 'test', base: s.origin, limiter: null, cache: null, backoffMs: 5, timeoutMs: 300, retries: 2, ...o });
}

describe('RateLimiter (injected clock)', () => {
  it('allows N starts per window and waits for the oldest to leave it', async () => {
    let now = 0;
    const slept: number[] = [];
    const rl = new RateLimiter(3, 1000, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await rl.take();
      starts.push(now);
      now += 10; // each request takes 10 ms
    }
    expect(starts).toEqual([0, 10, 20, 1000, 1010, 1020, 2000]);
    expect(slept).toEqual([970, 970]);
    expect(rl.waitedMs).toBe(1940);
    // no 1000 ms window ever holds more than 3 starts
    for (const t of starts) expect(starts.filter((x) => x >= t && x < t + 1000).length).toBeLessThanOrEqual(3);
  });

  it('queues concurrent callers in order', async () => {
    let now = 0;
    const rl = new RateLimiter(2, 100, () => now, async (ms) => {
      now += ms;
    });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => rl.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(now).toBe(200);
  });

  it('parses N/S and off; refuses nonsense', () => {
    expect(parseRate('50/5', 'X')).toEqual({ requests: 50, perMs: 5000 });
    expect(parseRate(' 20 / 60 ', 'X')).toEqual({ requests: 20, perMs: 60000 });
    expect(parseRate('off', 'X')).toBeNull();
    for (const bad of ['0/5', '5', '5/0', 'fast']) expect(() => parseRate(bad, 'YASR_DEEZER_RATE')).toThrow(/YASR_DEEZER_RATE/);
    expect(() => new RateLimiter(0, 1000)).toThrow();
  });

  it('the default Deezer limit (50 per 5 s) paces a real listing', async () => {
    deezerWeek(s);
    const t0 = Date.now();
    const r = await list(s, 'deezer:releases', { env: { YASR_DEEZER_API: s.origin, YASR_DEEZER_RATE: '4/0.3' } });
    expect(r.tracks).toHaveLength(6);
    // 9 requests at 4 per 300 ms: the 5th starts a window after the 1st, the 9th after the 5th
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    expect(r.stats.waitedMs).toBeGreaterThanOrEqual(250);
    const at = s.hits.map((h) => h.at);
    expect(at).toHaveLength(9);
    // (arrival times: the first request also pays for the connection, so compare from the 2nd)
    for (let i = 1; i + 4 < at.length; i++) expect(at[i + 4] - at[i]).toBeGreaterThanOrEqual(280);
  });
});

describe('HttpJson faults', () => {
  it('429 with Retry-After: the wait is honoured, then the reply is used', async () => {
    s.on('/r', { status: 429, retryAfter: 1, json: { error: 'slow down' } }, { json: { ok: 1 } });
    const c = client({ maxRetryAfterMs: 5000 });
    const t0 = Date.now();
    expect(await c.get('r')).toEqual({ ok: 1 });
    const [a, b] = s.hitsOf('/r');
    expect(b.at - a.at).toBeGreaterThanOrEqual(980);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(980);
    expect(c.stats).toMatchObject({ requests: 2, retries: 1 });
    expect(c.stats.waitedMs).toBe(1000);
  });

  it('Retry-After is capped by maxRetryAfterMs, and an HTTP date works', async () => {
    s.on('/r', { status: 503, retryAfter: 3600 }, { status: 503, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() }, { json: { ok: 2 } });
    const delays: number[] = [];
    const c = client({ maxRetryAfterMs: 40, onRetry: (r) => delays.push(r.delayMs) });
    expect(await c.get('r')).toEqual({ ok: 2 });
    expect(delays).toEqual([40, 40]);
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('5xx is retried with exponential back-off, then given up with one clear message', async () => {
    s.on('/r', { status: 500, body: 'Internal Server Error', type: 'text/plain' });
    const delays: number[] = [];
    const c = client({ backoffMs: 10, retries: 3, onRetry: (r) => delays.push(r.delayMs) });
    await expect(c.get('r')).rejects.toThrow(`test: ${s.origin}/r: HTTP 500 (gave up after 4 attempts)`);
    expect(delays).toEqual([10, 20, 40]);
    expect(s.count('/r')).toBe(4);
  });

  it('an HTML page (200 or 5xx) is named as such; malformed JSON too', async () => {
    s.on('/html', { fault: 'html' });
    await expect(client({ retries: 0 }).get('html')).rejects.toThrow(/web page \(HTML\), not JSON/);
    s.on('/html-as-json', { body: '\n<!doctype html><html><body>Maintenance</body></html>', type: 'application/json' });
    await expect(client({ retries: 0 }).get('html-as-json')).rejects.toThrow(/web page \(HTML\)/);
    s.on('/bad', { fault: 'malformed' });
    await expect(client({ retries: 1 }).get('bad')).rejects.toThrow(/malformed JSON reply .*\(gave up after 2 attempts\)/);
    s.on('/flaky', { fault: 'malformed' }, { json: { ok: 3 } });
    expect(await client().get('flaky')).toEqual({ ok: 3 });
  });

  it('a stall (no answer, or a body that stops) fails after timeoutMs and is retried', async () => {
    s.on('/stall', { fault: 'stall' });
    const t0 = Date.now();
    await expect(client({ timeoutMs: 150, retries: 1 }).get('stall')).rejects.toThrow(/stalled: no data for 0\.2 s \(gave up after 2 attempts\)/);
    expect(Date.now() - t0).toBeLessThan(2000);
    s.on('/mid', { fault: 'stall-mid' }, { json: { ok: 4 } });
    expect(await client({ timeoutMs: 150 }).get('mid')).toEqual({ ok: 4 });
    expect(s.count('/mid')).toBe(2);
  });

  it('a truncated body or a reset connection is a retried network error', async () => {
    s.on('/cut', { fault: 'truncated' }, { json: { ok: 5 } });
    const c = client();
    expect(await c.get('cut')).toEqual({ ok: 5 });
    expect(c.stats.retries).toBe(1);
    s.on('/reset', { fault: 'reset' });
    await expect(client({ retries: 1 }).get('reset')).rejects.toThrow(/network error .*gave up after 2 attempts/);
  });

  it('an oversized reply is refused without reading it all (Content-Length or counted)', async () => {
    s.on('/big', { fault: 'oversized', bytes: 200_000 });
    await expect(client({ maxBytes: 100_000 }).get('big')).rejects.toThrow(/reply larger than 100000 bytes \(Content-Length 200000\)/);
    s.on('/big2', { fault: 'oversized', bytes: 300_000, noLength: true });
    await expect(client({ maxBytes: 100_000 }).get('big2')).rejects.toThrow(/reply larger than 100000 bytes$/);
    expect(s.hitsOf('/big')).toHaveLength(1); // not retried
  });

  it('redirects: followed within the API host, refused to another host', async () => {
    s.on('/old', { fault: 'redirect', location: '/new?x=1', status: 301 });
    s.on('/new', { json: { moved: true } });
    expect(await client().get('old')).toEqual({ moved: true });
    s.on('/away', { fault: 'redirect', location: `${s.otherHostOrigin}/new` });
    await expect(client().get('away')).rejects.toThrow(/refused a redirect to another host \(http:\/\/localhost:\d+\)/);
    expect(s.count('/away')).toBe(1);
    s.on('/loop', { fault: 'redirect', location: '/loop' });
    await expect(client().get('loop')).rejects.toThrow(/too many redirects/);
    await expect(client().get(`${s.otherHostOrigin}/new`)).rejects.toThrow(/not on the API host/);
  });

  it('secrets in query strings are masked in messages', async () => {
    s.on('/k', { status: 404, body: '' });
    await expect(client().get(client().url('k', { client_id: 'abcd1234' }))).rejects.toThrow(/client_id=\*\*\*/);
    expect(maskSecrets('https://x/y?a=1&api_key=zz&token=qq')).toBe('https://x/y?a=1&api_key=***&token=***');
  });
});

describe('reply cache', () => {
  it('ETag: the second client revalidates and gets 304, body from the cache', async () => {
    const dir = tmp();
    s.on('/e', { json: { v: 1 }, etag: '"abc"' });
    const a = client({ cache: new ReplyCache(dir) });
    expect(await a.get('e')).toEqual({ v: 1 });
    const b = client({ cache: new ReplyCache(dir) });
    expect(await b.get('e')).toEqual({ v: 1 });
    expect(b.stats).toMatchObject({ requests: 1, notModified: 1 });
    expect(s.hitsOf('/e')[1].headers['if-none-match']).toBe('"abc"');
    expect(s.hitsOf('/e')[1].status).toBe(304);
    // a changed resource (new ETag) replaces the entry
    s.on('/e', { json: { v: 2 }, etag: '"def"' });
    expect(await client({ cache: new ReplyCache(dir) }).get('e')).toEqual({ v: 2 });
  });

  it('Last-Modified: If-Modified-Since sent, 304 answered', async () => {
    const dir = tmp();
    const lm = 'Wed, 11 Jun 2025 10:00:00 GMT';
    s.on('/lm', { json: { v: 'lm' }, lastModified: lm });
    await client({ cache: new ReplyCache(dir) }).get('lm');
    const b = client({ cache: new ReplyCache(dir) });
    expect(await b.get('lm')).toEqual({ v: 'lm' });
    expect(s.hitsOf('/lm')[1].headers['if-modified-since']).toBe(lm);
    expect(b.stats.notModified).toBe(1);
  });

  it('within its TTL a reply is used without a request; a damaged entry is fetched again', async () => {
    const dir = tmp();
    s.on('/t', { json: { v: 't' } });
    await client({ cache: new ReplyCache(dir) }).get('t');
    const b = client({ cache: new ReplyCache(dir) });
    expect(await b.get('t', { ttlMs: 60_000 })).toEqual({ v: 't' });
    expect(b.stats).toMatchObject({ requests: 0, cacheHits: 1 });
    for (const sub of readdirSync(dir)) for (const f of readdirSync(path.join(dir, sub))) writeFileSync(path.join(dir, sub, f), '{"url": trunc');
    const c = client({ cache: new ReplyCache(dir) });
    expect(await c.get('t', { ttlMs: 60_000 })).toEqual({ v: 't' });
    expect(c.stats).toMatchObject({ requests: 1, cacheHits: 0 });
  });

  it('nothing bad is cached: an error object, an HTML page or malformed JSON leave no entry', async () => {
    const dir = tmp();
    s.on('/x', { fault: 'html' });
    await expect(client({ cache: new ReplyCache(dir), retries: 0 }).get('x')).rejects.toThrow();
    s.on('/y', { fault: 'malformed' });
    await expect(client({ cache: new ReplyCache(dir), retries: 0 }).get('y')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a second Deezer listing with the cache makes fewer requests (details cached, lists revalidated)', async () => {
    const dir = tmp();
    deezerWeek(s);
    const first = await list(s, 'deezer:releases', { cacheDir: dir });
    expect(first.stats.requests).toBe(9);
    s.reset();
    const second = await list(s, 'deezer:releases', { cacheDir: dir });
    expect(second.tracks.map((t) => t.key)).toEqual(first.tracks.map((t) => t.key));
    expect(second.tracks).toEqual(first.tracks);
    // albums and artists come from the cache (a week's TTL); the two list pages are asked again;
    // album 900000105 failed (an error object is not cached) so it is asked again
    expect(second.stats.requests).toBe(3);
    expect(second.stats.cacheHits).toBe(6);
    expect(s.hits.map((h) => h.path).sort()).toEqual(['/album/900000105', '/editorial/0/releases', '/editorial/0/releases']);
  });

  it('with ETags on the list pages the second listing gets 304s', async () => {
    const dir = tmp();
    deezerWeek(s);
    s.on('/editorial/0/releases', { fixture: 'deezer/editorial-0-releases.json', etag: 'W/"p1"' });
    s.on('/editorial/0/releases?index=3', { fixture: 'deezer/editorial-0-releases-index-3.json', etag: 'W/"p2"' });
    await list(s, 'deezer:releases', { cacheDir: dir });
    s.reset();
    const second = await list(s, 'deezer:releases', { cacheDir: dir });
    expect(second.tracks).toHaveLength(6);
    expect(second.stats.notModified).toBe(2);
    expect(s.hits.filter((h) => h.status === 304)).toHaveLength(2);
    const entry = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0], readdirSync(path.join(dir, readdirSync(dir)[0]))[0]), 'utf8'));
    expect(Object.keys(entry).sort()).toEqual(['body', 'etag', 'lastModified', 'storedAt', 'url']);
  });
});

describe('faults during a listing: the rest go on', () => {
  it('malformed, HTML, 5xx, stall, truncated, redirect elsewhere: one line per album, others listed', async () => {
    deezerWeek(s);
    s.on('/album/900000101', { fault: 'malformed' });
    s.on('/album/900000102', { fault: 'redirect', location: `${s.otherHostOrigin}/album/900000102` });
    s.on('/album/900000104', { fault: 'stall' });
    s.on('/album/900000105', { fault: 'html', status: 502 });
    const r = await list(s, 'deezer:releases', { http: { backoffMs: 1, timeoutMs: 150, retries: 1 } });
    expect(r.tracks).toEqual([]);
    const by = Object.fromEntries(r.failures.map((f) => [f.item, f.error]));
    expect(Object.keys(by).sort()).toEqual(['deezer:album/900000101', 'deezer:album/900000102', 'deezer:album/900000104', 'deezer:album/900000105']);
    expect(by['deezer:album/900000101']).toMatch(/malformed JSON/);
    expect(by['deezer:album/900000102']).toMatch(/refused a redirect to another host/);
    expect(by['deezer:album/900000104']).toMatch(/stalled/);
    expect(by['deezer:album/900000105']).toMatch(/HTTP 502/);
  });

  it('an oversized second page stops the listing after the first page was listed', async () => {
    deezerWeek(s);
    s.on('/editorial/0/releases?index=3', { fault: 'oversized', bytes: 9 * 1024 * 1024 });
    const r = await list(s, 'deezer:releases');
    expect(r.tracks).toHaveLength(4);
    expect(r.failures.at(-1)).toEqual({ item: 'deezer:releases', error: expect.stringMatching(/listing stopped: .*reply larger than 8388608 bytes/) });
  });

  it('a stalled page recovers on retry', async () => {
    deezerWeek(s);
    s.on('/album/900000101', { fault: 'stall-mid' }, { fixture: 'deezer/album-900000101.json' });
    s.on('/album/900000104', { fault: 'truncated' }, { status: 503 }, { fixture: 'deezer/album-900000104.json' });
    const r = await list(s, 'deezer:releases', { http: { backoffMs: 1, timeoutMs: 150, retries: 2 } });
    expect(r.tracks).toHaveLength(6);
    expect(r.stats.retries).toBe(3);
  });
});
