/**
 * Catalogue sources through the ingest stage (src/pipeline/ingest.ts), in process, against the
 * replay server: previews downloaded (audio only, size-capped), probed and stored with their
 * metadata; hostile previews and failing items give one failure line each and leave nothing
 * behind (no track row, no file in the audio store); one recording listed by two sources is one
 * track with two sources.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { ingest, type IngestOptions } from '../../src/pipeline/ingest.js';
import { openDb, type Db } from '../../src/store/db.js';
import { trackDetails } from '../../src/store/tracks.js';
import { deezerWeek, fixtureJson, startReplay, type ReplayServer } from './replay-server.js';
import { replayEnv, SINCE, TODAY } from './helpers.js';

let s: ReplayServer;
let dir: string;
let db: Db;
let storeDir: string;

beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  deezerWeek(s.clear());
  s.on('/search?term=sodium', { fixture: 'itunes/search-sodium.json', type: 'text/javascript; charset=utf-8' });
  s.on('/lookup?id=1790000104', { fixture: 'itunes/lookup-album-1790000104.json', type: 'text/javascript; charset=utf-8' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-ingest-cat-'));
  db = openDb(path.join(dir, 'yasr.db'));
  storeDir = path.join(dir, 'audio');
});
afterEach(() => db.close());

function opts(extra: Partial<IngestOptions> = {}): IngestOptions {
  return {
    tools: findFfmpeg(),
    storeDir,
    // generous: a loaded machine must not turn a slow local reply into a stall (the stall test sets its own)
    download: { timeoutMs: 5000, retries: 1, backoffMs: 5 },
    maxPreviewBytes: 200_000,
    catalogue: { since: SINCE, today: TODAY, cacheDir: null, env: replayEnv(s), http: { backoffMs: 5, timeoutMs: 1000, retries: 1, maxRetryAfterMs: 20 } },
    ...extra,
  };
}

/** Files in the audio store: content files and leftover temporary files. */
function storeFiles(): { content: string[]; temp: string[] } {
  const out = { content: [] as string[], temp: [] as string[] };
  if (!existsSync(storeDir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else (e.name.startsWith('.yasr-tmp-') ? out.temp : out.content).push(p);
    }
  };
  walk(storeDir);
  return out;
}

function rows(): { tracks: { id: number; local_path: string }[]; sources: { source: string; track_id: number | null; status: string; error: string | null }[] } {
  return {
    tracks: db.prepare('SELECT id, local_path FROM tracks ORDER BY id').all() as { id: number; local_path: string }[],
    sources: db.prepare('SELECT source, track_id, status, error FROM sources ORDER BY source').all() as { source: string; track_id: number | null; status: string; error: string | null }[],
  };
}

function trackIdOf(source: string): number | null {
  return (db.prepare('SELECT track_id FROM sources WHERE source = ?').get(source) as { track_id: number | null } | undefined)?.track_id ?? null;
}

const previewPath = (albumId: number, i: number) => new URL(fixtureJson(`deezer/album-${albumId}.json`).tracks.data[i].preview).pathname;

describe('ingest deezer:releases', () => {
  it('stores every listed track once with its metadata; a second run adds nothing', async () => {
    const r = await ingest(db, ['deezer:releases'], opts());
    expect(r).toMatchObject({ added: 6, failed: 2, listed: 6, duplicates: 0 });
    expect(r.failures.map((f) => f.source).sort()).toEqual(['deezer:album/900000102', 'deezer:album/900000105']);
    expect(r.requests.sent).toBe(9);
    const { tracks, sources } = rows();
    expect(tracks).toHaveLength(6);
    expect(sources.filter((x) => x.status === 'ok')).toHaveLength(6);
    const d = trackDetails(db, trackIdOf('deezer:track/3100000001')!)!;
    expect(d).toMatchObject({
      artist: 'Nadia Okonkwo-Reyes',
      title: 'Low Tide Signal',
      album: 'Glass Harbour',
      releaseDate: '2025-06-13',
      popularity: 58,
      isrc: null,
      licence: null,
      link: 'https://www.deezer.com/track/3100000001',
      coverUrl: fixtureJson('deezer/album-900000101.json').cover_xl,
      audioUrl: `${s.origin}${previewPath(900000101, 0)}`,
      isPreview: true,
      statedDuration: 214,
    });
    expect(d.duration).toBeGreaterThan(1.5); // the probed preview (2 s), not the stated length
    expect(d.duration).toBeLessThan(3);
    expect(d.sources).toEqual([
      { source: 'deezer:track/3100000001', kind: 'catalogue', meta: { service: 'deezer', ids: { track: '3100000001', album: '900000101', artist: '5500001' }, link: 'https://www.deezer.com/track/3100000001', popularityBasis: 'deezer artist fans 12345', audioUrl: d.audioUrl, preview: true } },
    ]);
    const files = storeFiles();
    expect(files.content).toHaveLength(6);
    expect(files.temp).toEqual([]);
    expect(tracks.every((t) => existsSync(t.local_path))).toBe(true);

    s.reset();
    const again = await ingest(db, ['deezer:releases'], opts());
    expect(again).toMatchObject({ added: 0, unchanged: 6, duplicates: 0 });
    expect(s.hits.filter((h) => h.path.startsWith('/stream/'))).toEqual([]); // no preview fetched again
    expect(rows().tracks).toHaveLength(6);
    expect(storeFiles().content).toHaveLength(6);
  });

  it('hostile previews: HTML, JPEG, oversized, empty, undecodable, stalled: one line each, nothing stored for them', async () => {
    s.on(previewPath(900000101, 0), { fault: 'html' });
    s.on(previewPath(900000101, 1), { body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), type: 'image/jpeg' });
    s.on(previewPath(900000101, 2), { fault: 'oversized', bytes: 300_000, type: 'audio/mpeg' });
    s.on(previewPath(900000102, 0), { body: '', type: 'audio/mpeg' });
    s.on(previewPath(900000104, 0), { body: Buffer.alloc(50_000, 0x5a), type: 'audio/mpeg' });
    s.on(previewPath(900000104, 1), { fault: 'stall-mid', body: Buffer.alloc(40_000, 1), type: 'audio/mpeg' });
    const r = await ingest(db, ['deezer:releases'], opts({ download: { timeoutMs: 400, retries: 1, backoffMs: 5 } }));
    const why = Object.fromEntries(r.failures.map((f) => [f.source, f.error]));
    expect(why['deezer:track/3100000001']).toMatch(/web page \(text\/html\), not audio/);
    expect(why['deezer:track/3100000002']).toMatch(/not audio: the server sent image\/jpeg/);
    expect(why['deezer:track/3100000003']).toMatch(/larger than the 200000 bytes limit \(Content-Length 300000 bytes\)/);
    expect(why['deezer:track/3100000011']).toMatch(/empty body \(0 bytes\)/);
    expect(why['deezer:track/3100000021']).toBeDefined(); // ffprobe cannot read it
    expect(why['deezer:track/3100000022']).toMatch(/stalled: no data for 400 ms \(gave up after 2 attempts\)/);
    expect(r).toMatchObject({ added: 0, failed: 8 });
    // nothing half-stored: no track row, no file, the failure kept on the source row
    const { tracks, sources } = rows();
    expect(tracks).toEqual([]);
    expect(storeFiles()).toEqual({ content: [], temp: [] });
    const failedRow = sources.find((x) => x.source === 'deezer:track/3100000002')!;
    expect(failedRow).toMatchObject({ status: 'failed', track_id: null });
    // fixed later: the failed ones are fetched again and stored
    deezerWeek(s.clear());
    const again = await ingest(db, ['deezer:releases'], opts());
    expect(again).toMatchObject({ added: 6, failed: 2 });
    expect(storeFiles().content).toHaveLength(6);
  });

  it('previews: a redirect to another (CDN) host is followed, a 503 is retried', async () => {
    s.on(previewPath(900000101, 0), { fault: 'redirect', location: `${s.otherHostOrigin}/audio/moved-1.mp3` });
    s.on(previewPath(900000101, 1), { status: 503, body: 'busy' }, { audio: true });
    const r = await ingest(db, ['deezer:album/900000101'], opts());
    expect(r).toMatchObject({ added: 3, failed: 0 });
    expect(s.count('/audio/moved-1.mp3')).toBe(1);
  });

  it('a quota error that never passes loses that album only', async () => {
    s.on('/album/900000101', { fixture: 'deezer/error-quota.json' });
    const r = await ingest(db, ['deezer:releases'], opts());
    expect(r.failures.find((f) => f.source === 'deezer:album/900000101')?.error).toMatch(/Quota limit exceeded/);
    expect(r.added).toBe(3);
    expect(trackIdOf('deezer:track/3100000001')).toBeNull();
  });

  it('maxTracks caps what is stored', async () => {
    const r = await ingest(db, ['deezer:releases'], opts({ catalogue: { ...opts().catalogue, maxTracks: 2 } }));
    expect(r).toMatchObject({ added: 2, listed: 2 });
    expect(rows().tracks).toHaveLength(2);
  });
});

describe('one recording, two sources', () => {
  it('same normalised artist + title and lengths within 2 s: one track, two sources, one download', async () => {
    const r = await ingest(db, ['deezer:releases', 'itunes:search?term=sodium', 'itunes:lookup?id=1790000104'], opts());
    // Sodium Lights: Deezer 176 s, iTunes 177.4 s; Last Stop: 301 s and 301.2 s
    expect(r).toMatchObject({ added: 7, duplicates: 2 });
    const sodium = trackIdOf('deezer:track/3100000021');
    expect(sodium).not.toBeNull();
    expect(trackIdOf('itunes:track/1790000121')).toBe(sodium);
    expect(trackIdOf('itunes:track/1790000122')).toBe(trackIdOf('deezer:track/3100000022'));
    expect(trackDetails(db, sodium!)!.sources.map((x) => x.source)).toEqual(['deezer:track/3100000021', 'itunes:track/1790000121']);
    // the iTunes preview of a known recording is not downloaded; the other iTunes song is
    expect(s.count('/itunes-assets/')).toBe(1);
    expect(rows().tracks).toHaveLength(7);
    expect(storeFiles().content).toHaveLength(7);
    // listing both again changes nothing
    const again = await ingest(db, ['deezer:releases', 'itunes:search?term=sodium'], opts());
    expect(again).toMatchObject({ added: 0, duplicates: 0 });
    expect(rows().tracks).toHaveLength(7);
  });

  it('lengths 3 s apart are two recordings', async () => {
    const body = fixtureJson('itunes/search-sodium.json');
    body.results[0].trackTimeMillis = 179_100; // Deezer says 176 s
    s.on('/search?term=sodium', { json: body });
    const r = await ingest(db, ['deezer:album/900000104', 'itunes:search?term=sodium'], opts());
    expect(r).toMatchObject({ added: 4, duplicates: 0 });
    expect(trackIdOf('itunes:track/1790000121')).not.toBe(trackIdOf('deezer:track/3100000021'));
  });

  it('same ISRC: one track even when the titles differ', async () => {
    // No real adapter reply used here carries an ISRC (Deezer album replies have none, iTunes
    // and the others never do), so it is added to two Deezer replies as /track/{id} would give it.
    const al = fixtureJson('deezer/album-900000104.json');
    al.tracks.data[0].isrc = 'GB-XYZ-25-00021';
    s.on('/album/900000104', { json: al });
    const comp = fixtureJson('deezer/album-900000101.json');
    comp.id = 900000777;
    comp.title = 'Summer Compilation';
    comp.tracks.data = [{ ...al.tracks.data[0], id: 3100000777, title: 'Sodium Lights (Album Version)', duration: 190, isrc: 'GBXYZ2500021', preview: al.tracks.data[0].preview.replace('-3.mp3', '-7.mp3') }];
    s.on('/album/900000777', { json: comp });
    const r = await ingest(db, ['deezer:album/900000104', 'deezer:album/900000777'], opts());
    expect(r).toMatchObject({ added: 2, duplicates: 1 });
    expect(trackIdOf('deezer:track/3100000777')).toBe(trackIdOf('deezer:track/3100000021'));
    expect(trackDetails(db, trackIdOf('deezer:track/3100000021')!)!.isrc).toBe('GBXYZ2500021');
  });
});
