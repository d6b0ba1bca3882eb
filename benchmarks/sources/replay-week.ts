/**
 * A replayed Deezer week: `yasr ingest deezer:releases --since 7d` against the replay server
 * (test/sources/replay-server.ts) serving a generated week of 2,000 new tracks (200 albums x 10
 * tracks, on 3 pages of editorial releases with 20 older albums that are skipped, ~150 artists),
 * with a small latency per reply and ~1.5 s MP3 previews. The whole command is timed (listing,
 * downloading previews, ffprobe, storing), at Deezer's default rate limit (50 requests / 5 s):
 *   1. cold: empty database, empty reply cache;
 *   2. again: same database and cache (a nightly re-run: nothing new to download);
 *   3. with --cache-only: a new database with the warm reply cache (listing from the cache,
 *      every preview downloaded again).
 * Prints a markdown section and writes it to benchmarks/sources/replay-week.md.
 *   npx tsc -p . && node dist/benchmarks/sources/replay-week.js [albums=200] [tracksPerAlbum=10] [--cache-only]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, today } from '../machine.js';
import { startReplay, type ReplayServer } from '../../test/sources/replay-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const BIN = path.join(root, 'dist', 'bin', 'yasr.js');
const OUT = path.join(root, 'benchmarks', 'sources', 'replay-week.md');

const ARGS = process.argv.slice(2).filter((a) => !a.startsWith('--'));
/** `--cache-only`: also time a new database with the warm cache (every preview again). */
const CACHE_ONLY = process.argv.includes('--cache-only');
const ALBUMS = Number(ARGS[0] ?? 200);
const PER_ALBUM = Number(ARGS[1] ?? 10);
const OLD_ALBUMS = 20;
const ARTISTS = Math.max(1, Math.round(ALBUMS * 0.75));
const PAGE = 100;
const API_LATENCY_MS = 25;
const PREVIEW_LATENCY_MS = 10;
const TODAY = '2025-06-15';
const DZ = 'https://api.deezer.com';

function hex(n: number, len = 32): string {
  let h = '';
  let x = (n * 2654435761) >>> 0;
  while (h.length < len) {
    x = (x * 1103515245 + 12345) >>> 0;
    h += x.toString(16).padStart(8, '0');
  }
  return h.slice(0, len);
}

function day(back: number): string {
  return new Date(Date.parse(`${TODAY}T00:00:00Z`) - back * 86_400_000).toISOString().slice(0, 10);
}

interface Album {
  id: number;
  title: string;
  artist: number;
  date: string;
}

const artistName = (a: number) => `Replay Artist ${a}`;
const cover = (m: string) => ({
  cover_small: `https://e-cdns-images.dzcdn.net/images/cover/${m}/56x56-000000-80-0-0.jpg`,
  cover_medium: `https://e-cdns-images.dzcdn.net/images/cover/${m}/250x250-000000-80-0-0.jpg`,
  cover_big: `https://e-cdns-images.dzcdn.net/images/cover/${m}/500x500-000000-80-0-0.jpg`,
  cover_xl: `https://e-cdns-images.dzcdn.net/images/cover/${m}/1000x1000-000000-80-0-0.jpg`,
});
const artistMini = (a: number) => ({ id: a, name: artistName(a), tracklist: `${DZ}/artist/${a}/top?limit=50`, type: 'artist' });

function week(s: ReplayServer): void {
  const albums: Album[] = [];
  for (let i = 0; i < ALBUMS + OLD_ALBUMS; i++) {
    const old = i >= ALBUMS;
    albums.push({ id: 700000000 + i, title: `Replay Album ${i}`, artist: 6600000 + (i % ARTISTS), date: old ? day(30 + i) : day(i % 7) });
  }
  // editorial releases: pages of 100 (Deezer's limit), `next` absent on the last one
  for (let p = 0; p * PAGE < albums.length; p++) {
    const items = albums.slice(p * PAGE, (p + 1) * PAGE).map((a) => {
      const m = hex(a.id);
      return { id: a.id, title: a.title, cover: `${DZ}/album/${a.id}/image`, ...cover(m), md5_image: m, release_date: a.date, tracklist: `${DZ}/album/${a.id}/tracks`, artist: artistMini(a.artist), type: 'album' };
    });
    const body: Record<string, unknown> = { data: items, total: albums.length };
    if (p > 0) body.prev = `${DZ}/editorial/0/releases?limit=100&index=${(p - 1) * PAGE}`;
    if ((p + 1) * PAGE < albums.length) body.next = `${DZ}/editorial/0/releases?limit=100&index=${(p + 1) * PAGE}`;
    s.on(p === 0 ? '/editorial/0/releases' : `/editorial/0/releases?index=${p * PAGE}`, { json: body, delayMs: API_LATENCY_MS });
  }
  for (const a of albums) {
    const m = hex(a.id);
    const tracks = Array.from({ length: PER_ALBUM }, (_, k) => {
      const id = 4000000000 + (a.id - 700000000) * 100 + k;
      return {
        id, readable: true, title: `Replay Track ${a.id}-${k}`, title_short: `Replay Track ${a.id}-${k}`, title_version: '', link: `https://www.deezer.com/track/${id}`,
        duration: 120 + ((id * 7) % 180), rank: (id * 13) % 900000, explicit_lyrics: false, explicit_content_lyrics: 0, explicit_content_cover: 0,
        preview: `https://cdns-preview-${hex(id, 1)}.dzcdn.net/stream/c-${hex(id)}-3.mp3`, md5_image: m, artist: artistMini(a.artist), type: 'track',
      };
    });
    s.on(`/album/${a.id}`, {
      delayMs: API_LATENCY_MS,
      json: {
        id: a.id, title: a.title, upc: String(5050000000000 + a.id), link: `https://www.deezer.com/album/${a.id}`, cover: `${DZ}/album/${a.id}/image`, ...cover(m), md5_image: m,
        genre_id: 106, genres: { data: [{ id: 106, name: 'Electro', picture: `${DZ}/genre/106/image`, type: 'genre' }] }, label: 'Replay Records', nb_tracks: PER_ALBUM,
        duration: tracks.reduce((x, t) => x + t.duration, 0), fans: 10, rating: 0, release_date: a.date, record_type: 'album', available: true, tracklist: `${DZ}/album/${a.id}/tracks`,
        explicit_lyrics: false, explicit_content_lyrics: 0, explicit_content_cover: 0, contributors: [{ ...artistMini(a.artist), role: 'Main' }], artist: artistMini(a.artist), type: 'album',
        tracks: { data: tracks },
      },
    });
  }
  for (let k = 0; k < ARTISTS; k++) {
    const a = 6600000 + k;
    s.on(`/artist/${a}`, {
      delayMs: API_LATENCY_MS,
      json: { id: a, name: artistName(a), link: `https://www.deezer.com/artist/${a}`, picture: `${DZ}/artist/${a}/image`, nb_album: 2, nb_fan: (k * 7919) % 2_000_000, radio: true, tracklist: `${DZ}/artist/${a}/top?limit=50`, type: 'artist' },
    });
  }
}

interface RunResult {
  seconds: number;
  status: number | null;
  summary: { added: number; unchanged: number; duplicates: number; failed: number; listed: number; requests: { sent: number; cacheHits: number; notModified: number; retries: number } };
  apiRequests: number;
  previewRequests: number;
}

function runIngest(s: ReplayServer, db: string): Promise<RunResult> {
  s.reset();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', db, '--quiet', 'ingest', 'deezer:releases', '--since', '7d', '--json'], {
      env: { ...process.env, CI: '1', YASR_DEEZER_API: s.origin, YASR_TODAY: `${TODAY}T12:00:00Z`, YASR_DEEZER_RATE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
    child.stderr.setEncoding('utf8').on('data', (x: string) => (err += x));
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = (performance.now() - t0) / 1000;
      try {
        const previewRequests = s.hits.filter((h) => h.path.startsWith('/stream/')).length;
        resolve({ seconds, status, summary: JSON.parse(out) as RunResult['summary'], previewRequests, apiRequests: s.hits.length - previewRequests });
      } catch {
        reject(new Error(`yasr ingest exited ${status}: ${err}\n${out.slice(0, 2000)}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const s = await startReplay({ audioSeconds: 1.5, audioDelayMs: PREVIEW_LATENCY_MS });
  week(s);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-replay-week-'));
  try {
    const db = path.join(dir, 'a', 'yasr.db');
    const cold = await runIngest(s, db);
    process.stderr.write(`cold: ${cold.seconds.toFixed(1)} s\n`);
    const again = await runIngest(s, db);
    process.stderr.write(`again: ${again.seconds.toFixed(1)} s\n`);
    // a new database next to the same (warm) cache
    const cacheOnly = CACHE_ONLY ? await runIngest(s, path.join(dir, 'a', 'second.db')) : null;
    if (cacheOnly) process.stderr.write(`cache only: ${cacheOnly.seconds.toFixed(1)} s\n`);

    const tracks = ALBUMS * PER_ALBUM;
    const row = (name: string, r: RunResult) =>
      `| ${name} | ${r.seconds.toFixed(1)} | ${r.summary.listed} | ${r.summary.added} | ${r.summary.unchanged} | ${r.summary.failed} | ${r.apiRequests} | ${r.summary.requests.cacheHits} | ${r.summary.requests.notModified} | ${r.previewRequests} | ${(r.seconds / Math.max(1, r.summary.added || r.summary.listed) * 1000).toFixed(0)} |`;
    const md = [
      '## Catalogue ingest: a replayed Deezer week',
      '',
      `Machine: ${machineLine()}. Date: ${today()}.`,
      '',
      `\`yasr ingest deezer:releases --since 7d --json\` (the whole command: listing, downloading previews, ffprobe, storing) against a local replay server (test/sources/replay-server.ts) serving a generated week: ${ALBUMS} new albums x ${PER_ALBUM} tracks = ${tracks} tracks, plus ${OLD_ALBUMS} older albums on the editorial list (skipped without a request), ${ARTISTS} artists, editorial releases on ${Math.ceil((ALBUMS + OLD_ALBUMS) / PAGE)} page(s) of up to ${PAGE}. Every API reply is delayed ${API_LATENCY_MS} ms, every preview ${PREVIEW_LATENCY_MS} ms; previews are ${1.5} s mono MP3s (~10 KB). Deezer's default rate limit applies (50 requests / 5 s; downloads are not rate-limited).`,
      '',
      '| run | seconds | listed | added | unchanged | failed | API requests | replies from cache | 304 | previews fetched | ms per track |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      row('cold (empty database and cache)', cold),
      row('again (same database and cache)', again),
      ...(cacheOnly ? [row('cache only (new database, warm cache)', cacheOnly)] : []),
      '',
      `Cold: ${cold.apiRequests} API requests at 50 per 5 s need at least ${(Math.floor((cold.apiRequests - 1) / 50) * 5).toFixed(0)} s of rate-limit windows; the rest is downloading, fsyncing and probing (one ffprobe each) ${cold.previewRequests} previews, 4 at a time, interleaved with the listing. Album and artist replies are cached for a week and the list pages revalidated (Deezer sends no ETag, so they are fetched again): a re-run sends ${again.apiRequests} request(s) and downloads nothing new. Seconds include the CLI's start-up (about 1 s here).`,
      '',
    ].join('\n');
    process.stdout.write(`${md}\n`);
    writeFileSync(OUT, `${md}\n`);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
