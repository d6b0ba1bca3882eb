/**
 * End to end on replayed catalogue replies: a favourite file, a week of Deezer releases and
 * Jamendo tracks served from 127.0.0.1 (shapes as in test/fixtures/sources/README.md), then
 * ingest -> features -> similarity -> discover. The planted preview that sounds like the
 * favourite (same instrument, tempo and key, another take) must come first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { yasrAsync as yasr, yasrJsonAsync as yasrJson } from '../helpers/cli.js';

const TODAY = '2026-11-27T12:00:00Z';
let dir: string;
let server: http.Server;
let base: string;
const previews = new Map<string, Buffer>();
const hits = new Map<string, number>();

interface Planted { id: number; title: string; artist: { id: number; name: string; fans: number }; timbre: Timbre; bpm: number; key: number; mode: 'major' | 'minor'; seed: number }

const ARTISTS = {
  moth: { id: 501, name: 'Paper Moth', fans: 1200 },
  brass: { id: 502, name: 'Brass Harbour', fans: 40_000 },
  square: { id: 503, name: 'Square Pilots', fans: 9_000_000 },
  organ: { id: 504, name: 'Night Organ Club', fans: 300 },
};

// album 9001 (this week): the planted match and two others; album 9002 (this week); album 9003 (old)
const DEEZER: Record<number, { title: string; date: string; tracks: Planted[] }> = {
  9001: {
    title: 'New Pluck Songs',
    date: '2026-11-24',
    tracks: [
      { id: 7001, title: 'Planted Pluck', artist: ARTISTS.moth, timbre: 'pluck', bpm: 96, key: 0, mode: 'major', seed: 71 },
      { id: 7002, title: 'Loud Brass', artist: ARTISTS.brass, timbre: 'brass', bpm: 128, key: 7, mode: 'major', seed: 72 },
      { id: 7003, title: 'Square Dance', artist: ARTISTS.square, timbre: 'square', bpm: 140, key: 2, mode: 'major', seed: 73 },
    ],
  },
  9002: {
    title: 'Organ Nights',
    date: '2026-11-22',
    tracks: [
      { id: 7004, title: 'Organ One', artist: ARTISTS.organ, timbre: 'organ', bpm: 110, key: 9, mode: 'minor', seed: 74 },
      { id: 7005, title: 'Sine Two', artist: ARTISTS.organ, timbre: 'sine', bpm: 84, key: 4, mode: 'minor', seed: 75 },
    ],
  },
  9003: {
    title: 'Old Pluck Album',
    date: '2025-01-10',
    tracks: [{ id: 7006, title: 'Old Pluck', artist: ARTISTS.moth, timbre: 'pluck', bpm: 96, key: 0, mode: 'major', seed: 76 }],
  },
};

const JAMENDO: Planted[] = [
  { id: 3101, title: 'Pad Drift', artist: { id: 601, name: 'Glass Fields', fans: 0 }, timbre: 'pad', bpm: 72, key: 5, mode: 'minor', seed: 81 },
  { id: 3102, title: 'Brass Walk', artist: { id: 602, name: 'Copper Lane', fans: 0 }, timbre: 'brass', bpm: 120, key: 3, mode: 'major', seed: 82 },
  { id: 3103, title: 'Square Rain', artist: { id: 603, name: 'Pixel Weather', fans: 0 }, timbre: 'square', bpm: 150, key: 11, mode: 'minor', seed: 83 },
];

function mp3(p: Planted, seconds: number, ffmpeg: string): Buffer {
  const wav = path.join(dir, `src-${p.id}.wav`);
  const out = path.join(dir, `src-${p.id}.mp3`);
  writeWav(wav, synthTrack({ seconds, bpm: p.bpm, key: p.key, mode: p.mode, timbre: p.timbre, drums: 0.5, seed: p.seed }), 22050);
  const r = spawnSync(ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, '-c:a', 'libmp3lame', '-b:a', '128k', out]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return readFileSync(out);
}

function deezerTrack(p: Planted, albumId: number) {
  return {
    id: p.id, readable: true, title: p.title, title_short: p.title, title_version: '', link: `https://www.deezer.com/track/${p.id}`,
    duration: 12, rank: 100000, explicit_lyrics: false, explicit_content_lyrics: 0, explicit_content_cover: 0,
    preview: `${base}/preview/${p.id}.mp3`, md5_image: 'abc', position: 1,
    artist: { id: p.artist.id, name: p.artist.name, tracklist: `${base}/artist/${p.artist.id}/top?limit=50`, type: 'artist' },
    type: 'track', album_id_hint: albumId,
  };
}

function reply(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-discover-'));
  const ffmpeg = findFfmpeg().ffmpeg;
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const m = /^\/preview\/(\d+)\.mp3$/.exec(u.pathname);
    if (m && previews.has(m[1])) {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': previews.get(m[1])!.length });
      res.end(previews.get(m[1]));
      return;
    }
    if (u.pathname === '/editorial/0/releases') {
      return reply(res, {
        data: Object.entries(DEEZER).map(([id, a]) => ({
          id: Number(id), title: a.title, md5_image: 'x', cover: `${base}/cover/${id}.jpg`, cover_xl: `${base}/cover/${id}-xl.jpg`,
          genre_id: 0, release_date: a.date, record_type: 'album', tracklist: `${base}/album/${id}/tracks`, explicit_lyrics: false,
          artist: { id: a.tracks[0].artist.id, name: a.tracks[0].artist.name, type: 'artist' }, type: 'album',
        })),
        total: 3,
      });
    }
    const al = /^\/album\/(\d+)$/.exec(u.pathname);
    if (al && DEEZER[Number(al[1])]) {
      const a = DEEZER[Number(al[1])];
      return reply(res, {
        id: Number(al[1]), title: a.title, upc: '0000000000000', link: `https://www.deezer.com/album/${al[1]}`, cover_xl: `${base}/cover/${al[1]}-xl.jpg`,
        release_date: a.date, record_type: 'album', nb_tracks: a.tracks.length, fans: 3,
        artist: { id: a.tracks[0].artist.id, name: a.tracks[0].artist.name, type: 'artist' },
        tracks: { data: a.tracks.map((t) => deezerTrack(t, Number(al[1]))) }, type: 'album',
      });
    }
    const ar = /^\/artist\/(\d+)$/.exec(u.pathname);
    if (ar) {
      const a = Object.values(ARTISTS).find((x) => x.id === Number(ar[1]));
      if (a) return reply(res, { id: a.id, name: a.name, link: `https://www.deezer.com/artist/${a.id}`, nb_album: 2, nb_fan: a.fans, radio: true, type: 'artist' });
      return reply(res, { error: { type: 'DataException', message: 'no data', code: 800 } });
    }
    if (u.pathname === '/v3.0/tracks/' || u.pathname === '/v3.0/tracks') {
      if (u.searchParams.get('client_id') !== 'test-client') {
        return reply(res, { headers: { status: 'failed', code: 5, error_message: 'Your credential is not authorized.', warnings: '', results_count: 0 }, results: [] });
      }
      const offset = Number(u.searchParams.get('offset') ?? 0);
      const results = offset > 0 ? [] : JAMENDO.map((t, i) => ({
        id: String(t.id), name: t.title, duration: 12, artist_id: String(t.artist.id), artist_name: t.artist.name, artist_idstr: 'x',
        album_name: '', album_id: '', license_ccurl: 'http://creativecommons.org/licenses/by-sa/3.0/', position: 1,
        releasedate: `2026-11-2${i + 1}`, album_image: '', audio: `${base}/preview/${t.id}.mp3`, audiodownload: `${base}/preview/${t.id}.mp3`,
        prourl: '', shorturl: `https://jamen.do/t/${t.id}`, shareurl: `https://www.jamendo.com/track/${t.id}`, waveform: '{"peaks":[]}',
        image: '', audiodownload_allowed: true, stats: { rate_downloads_total: 5, rate_listened_total: 250 * (i + 1), playlisted: 0, favorited: 0, likes: 0, dislikes: 0, avgnote: 0, notes: 0 },
      }));
      return reply(res, { headers: { status: 'success', code: 0, error_message: '', warnings: '', results_count: results.length }, results });
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not Found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const a of Object.values(DEEZER)) for (const t of a.tracks) previews.set(String(t.id), mp3(t, 12, ffmpeg));
  for (const t of JAMENDO) previews.set(String(t.id), mp3(t, 12, ffmpeg));
  // the favourite: the same instrument, tempo and key as the planted track, another take (seed)
  writeWav(path.join(dir, 'favourite.wav'), synthTrack({ seconds: 16, bpm: 96, key: 0, mode: 'major', timbre: 'pluck', drums: 0.5, seed: 5 }), 22050);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('discover, end to end on replayed Deezer and Jamendo replies', () => {
  it('ingests the week, analyses it and puts the planted match first', async () => {
    const db = path.join(dir, 'yasr.db');
    const env = {
      YASR_DEEZER_API: base,
      YASR_JAMENDO_API: `${base}/v3.0`,
      YASR_JAMENDO_CLIENT_ID: 'test-client',
      YASR_DEEZER_RATE: 'off',
      YASR_JAMENDO_RATE: 'off',
      YASR_TODAY: TODAY,
    };
    const liked = await yasrJson(db, ['like', path.join(dir, 'favourite.wav')], env);
    expect(liked[0].status).toBe('liked');
    const ing = await yasrJson(db, ['ingest', 'deezer:releases', 'jamendo:tracks?order=releasedate_desc', '--since', '7d'], env);
    expect(ing.failures).toEqual([]);
    expect(ing.added).toBe(8); // 5 Deezer tracks this week (the old album is skipped) + 3 Jamendo
    expect(hits.get('/album/9003')).toBeUndefined(); // the old album was never asked for
    const f = await yasr(db, ['features', '--workers', '0'], env);
    expect(f.status, f.stderr).toBe(0);
    const r = await yasrJson(db, ['discover', '--since', '7d', '-k', '5', '--max-popularity', '100', '--out', path.join(dir, 'week')], env);
    expect(r.favourites).toHaveLength(1);
    expect(r.picks[0].title).toBe('Planted Pluck');
    expect(r.picks[0].reason).toMatch(/^close to .*favourite/i);
    expect(r.picks[0].isPreview).toBe(true);
    expect(r.picks[0].link).toBe('https://www.deezer.com/track/7001');
    // one pick per artist: Night Organ Club has two tracks this week
    expect(r.picks.filter((p: { artist: string }) => p.artist === 'Night Organ Club').length).toBeLessThanOrEqual(1);
    for (const p of r.picks) expect(p.title).not.toBe('favourite');
    const m3u = readFileSync(path.join(dir, 'week', 'discoveries.m3u'), 'utf8');
    expect(m3u.split('\n')[0]).toBe('#EXTM3U');
    expect(m3u).toContain('Paper Moth - Planted Pluck');
    expect(existsSync(path.join(dir, 'week', 'index.html'))).toBe(true);
    // popularity filter on the common scale: Square Pilots (9 million fans -> 99) is left out at 70
    const strict = await yasrJson(db, ['discover', '--since', '7d', '-k', '20', '--per-artist', '5'], env);
    expect(strict.picks.map((p: { artist: string }) => p.artist)).not.toContain('Square Pilots');
    const text = await yasr(db, ['discover', '--since', '7d', '-k', '5', '--max-popularity', '100'], env);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Discoveries released since 2026-11-20, by cosine, for 1 favourite \(8 candidates\):\n 1\. Paper Moth - Planted Pluck  \(2026-11-24, popularity 44\)\n    close to /);
    if (process.env.YASR_SHOW_OUTPUT) process.stdout.write(`${text.stdout}\n`);
    // every catalogue field is kept and shown
    const show = await yasrJson(db, ['show', 'deezer:track/7001'], env);
    expect(show).toMatchObject({
      artist: 'Paper Moth', title: 'Planted Pluck', album: 'New Pluck Songs', releaseDate: '2026-11-24', popularity: 44,
      link: 'https://www.deezer.com/track/7001', isPreview: true, statedDuration: 12, coverUrl: `${base}/cover/9001-xl.jpg`,
    });
    expect(show.sources[0].meta).toMatchObject({ service: 'deezer', ids: { track: '7001', album: '9001', artist: '501' }, popularityBasis: 'deezer artist fans 1200' });
    const jam = await yasrJson(db, ['show', 'jamendo:track/3101'], env);
    expect(jam).toMatchObject({ licence: 'http://creativecommons.org/licenses/by-sa/3.0/', isPreview: false, popularity: 20 });
    // a second ingest asks little and adds nothing
    const again = await yasrJson(db, ['ingest', 'deezer:releases', 'jamendo:tracks?order=releasedate_desc', '--since', '7d'], env);
    expect(again.added).toBe(0);
    expect(again.unchanged).toBe(8);
    expect(again.requests.cacheHits).toBeGreaterThan(0);
  });
});
