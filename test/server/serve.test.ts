/**
 * `yasr serve`: the JSON API against hostile input, and the UI in a real browser (Debian's
 * chromium driven by puppeteer-core): search, open a track, play and seek, recommendations,
 * favourites, upload a file, download an M3U. Screenshots go to test-output/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { encodeWav, writeWav } from '../../src/interop/wav-write.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { ROOT, tempDir, yasr } from '../helpers/cli.js';
import { HAVE_BROWSER, launchBrowser } from '../helpers/browser.js';

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const dir = tempDir('yasr-serve-');
const db = path.join(dir, 'serve.db');
let srv: RunningServer;

function req(p: string, o: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(p, srv.url);
  return new Promise((resolve, reject) => {
    const r = http.request(u, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end(o.body);
  });
}
const json = async (p: string, o: Parameters<typeof req>[1] = {}) => {
  const r = await req(p, o);
  return { status: r.status, body: JSON.parse(r.body.toString('utf8')) as any };
};

beforeAll(async () => {
  const timbres: Timbre[] = ['pluck', 'pluck', 'brass', 'organ', 'pad', 'square', 'pluck', 'sine'];
  const rows = ['path,artist,title,album,release_date,popularity'];
  timbres.forEach((timbre, i) => {
    const f = path.join(dir, `t${i}.wav`);
    writeWav(f, synthTrack({ seconds: 8, bpm: 96 + 6 * i, key: (i * 5) % 12, mode: 'major', timbre, seed: i + 1 }), 22050);
    const artist = i === 7 ? '<script>window.__pwned=1</script>' : ['Copper Moth', 'Copper Moth', 'Brass Lantern', 'Night Organ Club', 'Glass Harbour', 'Square Pilots', 'Paper Moth', 'Sine Folk'][i];
    rows.push(`${f},"${artist.replace(/"/g, '""')}",Study ${i + 1},Demos,2026-11-2${i % 8},${10 * i}`);
  });
  writeFileSync(path.join(dir, 'm.csv'), rows.join('\n') + '\n');
  expect(yasr(db, ['ingest', path.join(dir, 'm.csv')]).status).toBe(0);
  expect(yasr(db, ['features', '--workers', '2']).status).toBe(0);
  srv = await startServer({ dbPath: db, port: 0, tools: findFfmpeg(), storeDir: path.join(dir, 'audio'), workers: 1, maxUploadBytes: 4 * 1024 * 1024 });
}, 300_000);

afterAll(async () => {
  await srv?.close();
});

describe('yasr serve: the API', () => {
  it('searches as you type, shows a track and recommends', async () => {
    const s = await json('/api/search?q=moth');
    expect(s.status).toBe(200);
    expect(s.body.results.map((r: { artist: string }) => r.artist)).toEqual(['Copper Moth', 'Copper Moth', 'Paper Moth']);
    const t = await json('/api/tracks/1');
    expect(t.body).toMatchObject({ id: 1, artist: 'Copper Moth', title: 'Study 1', favourite: false });
    expect(t.body.descriptors.tempo).toBeGreaterThan(0);
    expect(t.body.analysis.analysedSeconds).toBeGreaterThan(5);
    const r = await json('/api/tracks/1/recommendations?k=3&least=2&maxPopularity=100&sameArtist=true');
    expect(r.status).toBe(200);
    expect(r.body.nearest).toHaveLength(3);
    expect(r.body.least).toHaveLength(2);
    expect(r.body.nearest[0].reason).toMatch(/BPM/);
  });

  it('answers bad input with 4xx and one message, never a stack trace', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/tracks/abc', 404, /no such track/],
      ['/api/tracks/999', 404, /no track #999/],
      ['/api/tracks/1/recommendations?k=0', 400, /invalid k: "0"/],
      ['/api/tracks/1/recommendations?method=dwt', 400, /invalid method: "dwt"/],
      ['/api/tracks/1/recommendations?releasedAfter=yesterday', 400, /releasedAfter/],
      ['/api/discover?since=soon', 400, /since/],
      ['/api/playlist.m3u?ids=1,../../etc', 400, /invalid ids/],
      ['/api/nothing', 404, /no such endpoint/],
      ['/api/tracks/1/plot/passwd.png', 404, /no picture/],
    ];
    for (const [p, status, re] of cases) {
      const r = await json(p);
      expect(r.status, p).toBe(status);
      expect(r.body.error, p).toMatch(re);
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    const bad = await json('/api/likes', { method: 'POST', body: '{"trackId":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not valid JSON/);
    const wrong = await json('/api/likes', { method: 'POST', body: '{"trackId":"1; DROP TABLE tracks"}' });
    expect(wrong.status).toBe(400);
  });

  it('serves only catalogue audio, by id, with ranges', async () => {
    for (const p of ['/../../etc/passwd', '/api/tracks/1/audio/../../../../etc/passwd', '/api/tracks/1/audio/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/app.js/../../package.json']) {
      const r = await req(p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).not.toMatch(/root:|"name": "yasr"/);
    }
    const whole = await req('/api/tracks/1/audio');
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const part = await req('/api/tracks/1/audio', { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${whole.body.length}`);
    expect(part.body.equals(whole.body.subarray(100, 200))).toBe(true);
    const tail = await req('/api/tracks/1/audio', { headers: { range: 'bytes=-10' } });
    expect(tail.body.equals(whole.body.subarray(whole.body.length - 10))).toBe(true);
    expect((await req('/api/tracks/1/audio', { headers: { range: `bytes=${whole.body.length}-` } })).status).toBe(416);
  });

  it('refuses changes asked by pages of other sites (CSRF), allows its own page and tools', async () => {
    const evil = await json('/api/likes', { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{"trackId":1}' });
    expect(evil.status).toBe(403);
    const own = await json('/api/likes', { method: 'POST', headers: { origin: srv.url }, body: '{"trackId":1}' });
    expect(own.status).toBe(200);
    expect((await json('/api/likes/1', { method: 'DELETE', headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await json('/api/likes/1', { method: 'DELETE' })).status).toBe(200);
  });

  it('refuses other Host names on loopback (DNS rebinding)', async () => {
    const r = await json('/api/status', { headers: { host: 'attacker.example:80' } });
    expect(r.status).toBe(421);
  });

  it('checks uploads by content and size, analyses them, adds them on request', async () => {
    const html = await json('/api/uploads?name=x.mp3', { method: 'POST', body: '<html><script>alert(1)</script></html>'.padEnd(200, ' ') });
    expect(html.status).toBe(415);
    const big = await json('/api/uploads', { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024, 1) });
    expect(big.status).toBe(413);
    const empty = await json('/api/uploads', { method: 'POST', body: '' });
    expect(empty.status).toBe(400);
    // a WAV header over noise that is not audio ffmpeg can decode as such: a clear 4xx
    const broken = Buffer.concat([Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEjunk'), Buffer.alloc(1000, 7)]);
    const b = await json('/api/uploads?name=broken.wav', { method: 'POST', body: broken });
    expect([400, 422]).toContain(b.status);
    const wav = encodeWav(synthTrack({ seconds: 6, bpm: 96, key: 0, mode: 'major', timbre: 'pluck', seed: 42 }), 22050);
    const up = await json('/api/uploads?name=mine.wav', { method: 'POST', body: wav });
    expect(up.status).toBe(201);
    expect(up.body.descriptors.tempo).toBeGreaterThan(0);
    const recs = await json(`/api/uploads/${up.body.id}/recommendations?k=2&least=0&maxPopularity=100`);
    expect(recs.status).toBe(200);
    expect(recs.body.nearest).toHaveLength(2);
    const add = await json(`/api/uploads/${up.body.id}/add`, { method: 'POST', body: '{"favourite":true}' });
    expect(add.status).toBe(200);
    const likes = await json('/api/likes');
    expect(likes.body.map((l: { trackId: number }) => l.trackId)).toContain(add.body.trackId);
    expect((await json(`/api/likes/${add.body.trackId}`, { method: 'DELETE' })).body.removed).toBe(true);
    expect((await json('/api/uploads/nope/recommendations')).status).toBe(404);
  });

  it('draws pictures on a worker, PNG or SVG', async () => {
    const png = await req('/api/tracks/1/plot/mel.png');
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.subarray(1, 4).toString()).toBe('PNG');
    const svg = await req('/api/tracks/8/plot/waveform.svg');
    expect(svg.status).toBe(200);
    expect(svg.body.toString()).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(svg.body.toString()).not.toContain('<script>window');
  });

  it('stores thumbs up and down, exports them, and re-ranks with them', async () => {
    const bad = await json('/api/ratings', { method: 'POST', body: JSON.stringify({ query: { trackId: 1 }, trackId: 2, value: 'sideways' }) });
    expect(bad.status).toBe(400);
    expect((await json('/api/ratings', { method: 'POST', body: JSON.stringify({ query: { trackId: 999 }, trackId: 2, value: 'up' }) })).status).toBe(400);
    const before = await json('/api/tracks/1/recommendations?k=7&least=0&maxPopularity=100&sameArtist=true');
    const last = before.body.nearest[before.body.nearest.length - 1].trackId;
    const first = before.body.nearest[0].trackId;
    expect((await json('/api/ratings', { method: 'POST', body: JSON.stringify({ query: { trackId: 1 }, trackId: first, value: 'down', method: 'cosine', rank: 1 }) })).status).toBe(200);
    const after = await json('/api/tracks/1/recommendations?k=7&least=0&maxPopularity=100&sameArtist=true');
    expect(after.body.nearest.map((r: { trackId: number }) => r.trackId)).not.toContain(first); // rated down: not shown again
    const ignored = await json('/api/tracks/1/recommendations?k=7&least=0&maxPopularity=100&sameArtist=true&ratings=false');
    expect(ignored.body.nearest[0].trackId).toBe(first);
    void last;
    const csv = await req('/api/ratings?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.body.toString().split('\r\n')[0]).toMatch(/value/);
    expect((await json('/api/ratings', { method: 'POST', body: JSON.stringify({ query: { trackId: 1 }, trackId: first, value: 'clear' }) })).status).toBe(200);
  });

  it('finds a path between two tracks', async () => {
    const r = await json('/api/path?from=1&to=6&steps=3');
    expect(r.status).toBe(200);
    expect(r.body.steps[0].trackId).toBe(1);
    expect(r.body.steps[r.body.steps.length - 1].trackId).toBe(6);
    expect((await json('/api/path?from=1&to=1&steps=3')).status).toBe(400);
    expect((await json('/api/path?from=1&to=6&steps=0')).status).toBe(400);
  });

  it('writes an M3U of chosen tracks', async () => {
    const r = await req('/api/playlist.m3u?ids=1,2');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/mpegurl/);
    const lines = r.body.toString().trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual([path.join(dir, 't0.wav'), path.join(dir, 't1.wav')]);
  });

  it('with a token, refuses requests without it and accepts bearer, query and cookie', async () => {
    const t = await startServer({ dbPath: db, port: 0, token: 's3cret-token', tools: findFfmpeg(), storeDir: path.join(dir, 'audio'), workers: 1 });
    try {
      const get = (p: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; cookie?: string[] }>((resolve) => http.get(new URL(p, t.url), { headers }, (res) => { res.resume(); resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie'] }); }));
      expect((await get('/api/status')).status).toBe(401);
      expect((await get('/')).status).toBe(401);
      expect((await get('/api/status', { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get('/api/status', { authorization: 'Bearer s3cret-token' })).status).toBe(200);
      const q = await get('/?token=s3cret-token');
      expect(q.status).toBe(200);
      expect(q.cookie?.[0]).toMatch(/^yasr_token=s3cret-token; HttpOnly; SameSite=Strict/);
      expect((await get('/api/tracks/1/audio', { cookie: 'yasr_token=s3cret-token' })).status).toBe(200);
      expect(t.openUrl).toMatch(/\?token=s3cret-token$/);
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(!HAVE_BROWSER)('yasr serve: in a real browser', () => {
  it('search, open a track, play and seek, recommendations, favourite, upload, M3U', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 1000 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${srv.url}/`, { waitUntil: 'networkidle0' });
      expect(await page.$eval('main', (m) => m.textContent)).toMatch(/tracks in the catalogue/);
      // search, typed as you go
      await page.type('#search', 'cop');
      await page.waitForSelector('#results li[data-id]');
      expect(await page.$$eval('#results li[data-id]', (ls) => ls.map((l) => l.textContent))).toEqual(['Study 1 Copper Moth · Demos', 'Study 2 Copper Moth · Demos']);
      await page.screenshot({ path: path.join(SHOTS, 'search.png') });
      await page.keyboard.press('Enter');
      await page.waitForSelector('ol.recs.nearest li');
      expect(await page.$eval('#track-title', (h) => h.textContent)).toBe('Copper Moth – Study 1');
      // play: the element reports a duration and advances; seek
      const played = await page.$eval('#player', async (a) => {
        const audio = a as HTMLAudioElement;
        await audio.play();
        await new Promise((r) => setTimeout(r, 700));
        const t1 = audio.currentTime;
        audio.pause();
        audio.currentTime = 5;
        await new Promise((r) => audio.addEventListener('seeked', r, { once: true }));
        return { duration: audio.duration, t1, seekedTo: audio.currentTime };
      });
      expect(played.duration).toBeGreaterThan(7);
      expect(played.t1).toBeGreaterThan(0.2);
      expect(played.seekedTo).toBeCloseTo(5, 0);
      // recommendations with their reasons; the hostile artist name is text, not markup
      const recs = await page.$$eval('ol.recs.nearest li', (ls) => ls.map((l) => l.querySelector('.reason')?.textContent ?? ''));
      expect(recs.length).toBe(5);
      for (const r of recs) expect(r).toMatch(/BPM/);
      // pictures are visible
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.plots img')].filter((i) => i.complete && i.naturalWidth > 0).length >= 4, { timeout: 60_000 });
      // thumbs up on the first recommendation is stored with the query, method and rank
      await page.click('ol.recs.nearest li .thumb.up');
      await page.waitForFunction(() => document.querySelector('ol.recs.nearest li .thumb.up')?.getAttribute('aria-pressed') === 'true');
      const stored = await page.evaluate(async () => (await fetch('/api/ratings')).json());
      expect(stored.some((x: { value: number; rank: number; method: string }) => x.value === 1 && x.rank === 1 && x.method === 'cosine')).toBe(true);
      await page.select('#method', 'features');
      await page.waitForFunction(() => document.querySelector('#recs h2')?.textContent?.includes('features'));
      await page.screenshot({ path: path.join(SHOTS, 'track.png'), fullPage: true });
      // favourite
      await page.click('#favourite');
      await page.waitForFunction(() => document.querySelector('#favourite')?.getAttribute('aria-pressed') === 'true');
      // M3U download link
      const href = await page.$eval('#m3u', (a) => (a as HTMLAnchorElement).href);
      const m3u = await page.evaluate(async (h) => (await fetch(h)).text(), href);
      expect(m3u.split('\n')[0]).toBe('#EXTM3U');
      // the track with a <script> artist shows the text and runs nothing
      await page.goto(`${srv.url}/#/track/8`, { waitUntil: 'networkidle0' });
      await page.waitForFunction(() => document.querySelector('#track-title')?.textContent?.endsWith('Study 8'));
      expect(await page.$eval('#track-title', (h) => h.textContent)).toBe('<script>window.__pwned=1</script> – Study 8');
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
      // upload a file and get recommendations
      const mine = path.join(dir, 'upload-me.wav');
      writeWav(mine, synthTrack({ seconds: 6, bpm: 100, key: 2, mode: 'major', timbre: 'brass', seed: 77 }), 22050);
      await page.goto(`${srv.url}/#/upload`, { waitUntil: 'networkidle0' });
      const input = await page.$('#file');
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(mine);
      await page.waitForSelector('#upload-done', { timeout: 60_000 });
      await page.waitForSelector('ol.recs.nearest li');
      await page.screenshot({ path: path.join(SHOTS, 'upload.png'), fullPage: true });
      await page.goto(`${srv.url}/#/likes`, { waitUntil: 'networkidle0' });
      await page.waitForSelector('#likes li');
      expect(await page.$$eval('#likes li', (ls) => ls.map((l) => l.textContent))).toContain('Copper Moth – Study 1 (catalogue)');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
void readFileSync;
