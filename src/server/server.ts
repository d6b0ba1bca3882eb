/**
 * `yasr serve`: one process, the web UI and a JSON API over the same pipeline functions the CLI
 * calls. Long work (recommendations over the catalogue, the discovery report, analysing an
 * upload, pictures) runs on worker threads; the event loop only routes, searches the in-memory
 * index and does short writes (likes, adding an upload).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from '../store/db.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { getTrack, resolveTrack } from '../store/tracks.js';
import { addLike, removeLike } from '../store/likes.js';
import { METHOD_NAMES, type MethodName } from '../pipeline/similarity/registry.js';
import { trackView, catalogueStatus } from '../pipeline/track-view.js';
import { likes } from '../pipeline/taste.js';
import { queryFeaturesFrom } from '../pipeline/query-file.js';
import { parseSince } from '../sources/since.js';
import { m3u } from '../pipeline/playlist.js';
import { exportRatings, listRatings, rate } from '../pipeline/ratings.js';
import type { TrackAnalysis } from '../pipeline/analyze-track.js';
import type { RecommendFilters } from '../pipeline/recommend.js';
import { HttpError, Params, idParam, readJson, send, sendError, sendJson } from './http-util.js';
import { SearchIndex } from './search-index.js';
import { QueryPool } from './query-pool.js';
import { TRACK_PLOT_KINDS, type TrackPlotKind } from '../plot/kinds.js';
import { serveAudio } from './audio.js';
import { saveUpload, sweepUploads } from './upload.js';
import { checkOrigin, checkRequest, generateToken, isLoopback } from './auth.js';
import { staticAsset } from './static-assets.js';

export interface ServeOptions {
  dbPath: string;
  host?: string;
  port?: number;
  /** Required off loopback; generated when missing there. */
  token?: string | null;
  tools: FfmpegTools;
  /** Downloaded and uploaded audio (the content store). */
  storeDir: string;
  workers?: number;
  /** Largest upload, bytes (default 100 MiB). */
  maxUploadBytes?: number;
  /** Longest analysis of an upload (default 120 s). */
  analyseTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** The URL to open (with the token when there is one). */
  openUrl: string;
  token: string | null;
  server: http.Server;
  close(): Promise<void>;
}

interface Upload {
  id: string;
  file: string;
  sha256: string;
  type: string;
  name: string;
  analysis: TrackAnalysis;
  tags: Record<string, string>;
  duration: number | null;
  createdAt: number;
  trackId?: number;
}

const UPLOAD_TTL_MS = 6 * 3600_000;

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const token = o.token ?? (loopback ? null : generateToken());
  const db: Db = openDb(o.dbPath);
  const index = new SearchIndex(db);
  const pool = new QueryPool(o.dbPath, Math.max(1, o.workers ?? 2));
  const uploads = new Map<string, Upload>();
  const uploadDir = path.join(o.storeDir, 'uploads');
  const maxUpload = o.maxUploadBytes ?? 100 * 1024 * 1024;
  const log = o.log ?? (() => undefined);
  sweepUploads(uploadDir, 0);

  const filtersOf = (p: Params): RecommendFilters => {
    const releasedAfter = p.str('releasedAfter');
    if (releasedAfter && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(releasedAfter)) throw new HttpError(400, `invalid releasedAfter: ${JSON.stringify(releasedAfter)} (expected YYYY, YYYY-MM or YYYY-MM-DD)`);
    return {
      maxPopularity: p.int('maxPopularity', 70, 0, 100),
      releasedAfter,
      newDays: p.optInt('newDays', 0, 100_000),
      excludeSameArtist: !p.bool('sameArtist', false),
    };
  };
  const methodOf = (p: Params, def: MethodName): MethodName => p.oneOf('method', METHOD_NAMES, def);

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = new Params(url.searchParams);
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    const asset = get ? staticAsset(url.pathname) : null;
    if (asset) return send(res, 200, asset.body, asset.type, { 'cache-control': 'no-cache', 'content-security-policy': "default-src 'self'; img-src 'self' data: https: http:; media-src 'self' https: http: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'" });
    if (parts[0] !== 'api') throw new HttpError(404, 'not found');
    const [, a, b, c] = parts;
    // GET /api/status
    if (a === 'status' && get && !b) return sendJson(res, 200, { ...catalogueStatus(db), methods: METHOD_NAMES });
    // GET /api/search?q=
    if (a === 'search' && get && !b) {
      const q = (p.str('q') ?? '').slice(0, 200);
      return sendJson(res, 200, { query: q, results: index.search(q, p.int('limit', 20, 1, 200)) });
    }
    if (a === 'tracks' && b) {
      const id = idParam(b);
      if (!c && get) return sendJson(res, 200, trackView(db, id));
      if (c === 'audio' && get && !parts[4]) return serveAudio(req, res, getTrack(db, id)?.localPath ?? null);
      if (c === 'recommendations' && get && !parts[4]) {
        if (!getTrack(db, id)) throw new HttpError(404, `no track #${id}`);
        const r = await pool.run({ kind: 'recommend', query: { trackId: id }, params: { method: methodOf(p, 'cosine') }, k: p.int('k', 5, 1, 100), least: p.int('least', 5, 0, 100), filters: filtersOf(p), ratings: p.bool('ratings', true) ? 'use' : 'ignore' });
        return sendJson(res, 200, r.result);
      }
      if (c === 'plot' && get && parts[4] && !parts[5]) {
        const m = /^([a-z]+)\.(png|svg)$/.exec(parts[4]);
        if (!m || !(TRACK_PLOT_KINDS as readonly string[]).includes(m[1])) throw new HttpError(404, `no picture ${JSON.stringify(parts[4])} (${TRACK_PLOT_KINDS.join(', ')}; .png or .svg)`);
        if (!getTrack(db, id)) throw new HttpError(404, `no track #${id}`);
        const body = await renderPlot(id, m[1], m[2] as 'png' | 'svg');
        return send(res, 200, body, m[2] === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8', { 'cache-control': 'private, max-age=600' });
      }
    }
    if (a === 'uploads') {
      // POST /api/uploads  (the audio file as the body)
      if (!b && method === 'POST') {
        sweepUploads(uploadDir, UPLOAD_TTL_MS);
        const saved = await saveUpload(req, uploadDir, maxUpload);
        try {
          const r = await pool.run({ kind: 'analyse', tools: o.tools, file: saved.file }, o.analyseTimeoutMs ?? 120_000);
          const id = randomBytes(9).toString('base64url');
          const name = (p.str('name') ?? 'upload').replace(/[\u0000-\u001f]/g, ' ').slice(0, 200);
          uploads.set(id, { id, file: saved.file, sha256: saved.sha256, type: saved.type, name, analysis: r.analysis, tags: r.tags, duration: r.duration, createdAt: Date.now() });
          log(`upload ${id}: ${saved.bytes} bytes of ${saved.type} analysed`);
          return sendJson(res, 201, uploadView(uploads.get(id)!));
        } catch (err) {
          try {
            unlinkSync(saved.file);
          } catch {
            /* already gone */
          }
          throw err;
        }
      }
      if (b) {
        const up = uploads.get(b);
        if (!up) throw new HttpError(404, 'no such upload (uploads are kept for 6 hours)');
        if (!c && get) return sendJson(res, 200, uploadView(up));
        if (c === 'recommendations' && get) {
          const features = queryFeaturesFrom(up.analysis, { title: up.name, ...up.tags }, up.name, up.sha256);
          const r = await pool.run({ kind: 'recommend', query: up.trackId ? { trackId: up.trackId } : { features }, params: { method: methodOf(p, 'cosine') }, k: p.int('k', 5, 1, 100), least: p.int('least', 5, 0, 100), filters: filtersOf(p), ratings: p.bool('ratings', true) ? 'use' : 'ignore' });
          return sendJson(res, 200, r.result);
        }
        if (c === 'add' && method === 'POST') {
          const body = await readJson(req);
          const trackId = await addUpload(up);
          if (body.favourite === true) addLike(db, trackId, 'file');
          index.invalidate();
          return sendJson(res, 200, { trackId, favourite: body.favourite === true });
        }
      }
    }
    if (a === 'likes') {
      if (!b && get) return sendJson(res, 200, likes(db));
      if (!b && method === 'POST') {
        const body = await readJson(req);
        const id = typeof body.trackId === 'number' && Number.isInteger(body.trackId) ? body.trackId : NaN;
        if (!getTrack(db, id)) throw new HttpError(400, `invalid trackId: ${JSON.stringify(body.trackId ?? null)} (expected the id of a catalogue track)`);
        return sendJson(res, 200, { trackId: id, added: addLike(db, id, 'track') });
      }
      if (b && method === 'DELETE') return sendJson(res, 200, { trackId: idParam(b), removed: removeLike(db, idParam(b)) });
    }
    // POST /api/ratings {query: {trackId} | {upload}, trackId, value: up|down|clear, method, rank, session}
    if (a === 'ratings' && !b && method === 'POST') {
      const body = await readJson(req);
      const q = (body.query ?? {}) as Record<string, unknown>;
      let query: { trackId: number } | { sha256: string; label?: string | null };
      if (typeof q.upload === 'string' && uploads.has(q.upload)) {
        const up = uploads.get(q.upload)!;
        query = up.trackId ? { trackId: up.trackId } : { sha256: up.sha256, label: up.name };
      } else if (typeof q.trackId === 'number' && getTrack(db, q.trackId)) query = { trackId: q.trackId };
      else throw new HttpError(400, `invalid query: ${JSON.stringify(body.query ?? null).slice(0, 100)} (expected {"trackId": N} or {"upload": ID})`);
      if (typeof body.trackId !== 'number' || !getTrack(db, body.trackId)) throw new HttpError(400, `invalid trackId: ${JSON.stringify(body.trackId ?? null).slice(0, 60)} (expected the id of a catalogue track)`);
      const r = rate(db, {
        query,
        trackId: body.trackId,
        value: body.value as 'up' | 'down' | 'clear',
        method: body.method as MethodName | undefined,
        rank: body.rank as number | undefined,
        session: body.session as string | undefined,
      });
      return sendJson(res, 200, r);
    }
    // GET /api/ratings[?format=csv]
    if (a === 'ratings' && !b && get) {
      const format = p.oneOf('format', ['json', 'csv'] as const, 'json');
      const rows = listRatings(db);
      return format === 'csv' ? send(res, 200, exportRatings(rows, 'csv'), 'text/csv; charset=utf-8', { 'content-disposition': 'attachment; filename="yasr-ratings.csv"' }) : sendJson(res, 200, rows);
    }
    // GET /api/path?from=1&to=2&steps=8&method=cosine
    if (a === 'path' && !b && get) {
      const from = idParam(p.str('from'));
      const to = idParam(p.str('to'));
      const r = await pool.run({ kind: 'path', from, to, steps: p.int('steps', 8, 1, 100), params: { method: methodOf(p, 'cosine') } });
      return sendJson(res, 200, r.result);
    }
    // GET /api/discover?since=7d&k=20&perArtist=1&maxPopularity=70&method=cosine
    if (a === 'discover' && get && !b) {
      const today = new Date();
      let since: string;
      try {
        since = parseSince(p.str('since') ?? '7d', today, 'since');
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
      const r = await pool.run({
        kind: 'discover',
        options: { since, until: today.toISOString().slice(0, 10), k: p.int('k', 20, 1, 200), perArtist: p.int('perArtist', 1, 1, 100), maxPopularity: p.int('maxPopularity', 70, 0, 100), method: { method: methodOf(p, 'cosine') } },
      });
      return sendJson(res, 200, r.result);
    }
    // GET /api/playlist.m3u?ids=1,2,3[&urls=true]
    if (a === 'playlist.m3u' && get && !b) {
      const ids = (p.str('ids') ?? '').split(',').filter(Boolean);
      if (!ids.length || ids.length > 500 || ids.some((x) => !/^\d{1,12}$/.test(x))) throw new HttpError(400, `invalid ids: ${JSON.stringify(p.str('ids') ?? '')} (expected 1 to 500 track ids separated by commas)`);
      const entries = ids.map((x) => trackView(db, Number(x))).map((t) => ({ artist: t.artist, title: t.title, duration: t.statedDuration ?? t.duration, localPath: t.localPath, audioUrl: t.audioUrl }));
      const list = m3u(entries, { urls: p.bool('urls', false), title: 'yasr' });
      return send(res, 200, list, 'audio/x-mpegurl; charset=utf-8', { 'content-disposition': 'attachment; filename="yasr.m3u"' });
    }
    throw new HttpError(404, `no such endpoint: ${method} ${url.pathname.slice(0, 200)}`);
  }

  function uploadView(u: Upload) {
    return { id: u.id, name: u.name, type: u.type, sha256: u.sha256, duration: u.duration, analysedSeconds: u.analysis.meta.analysedSeconds, descriptors: u.analysis.meta.descriptors ?? null, trackId: u.trackId ?? null };
  }

  async function addUpload(u: Upload): Promise<number> {
    if (u.trackId) return u.trackId;
    const [{ commitToStore }, { addAnalysedFile }] = await Promise.all([import('../ingest/content-store.js'), import('../pipeline/query-file.js')]);
    const stored = await commitToStore(u.file, o.storeDir, u.sha256, u.type);
    u.trackId = await addAnalysedFile(db, stored, u.analysis, { tools: o.tools, storeDir: o.storeDir, title: u.tags.title ?? u.name });
    return u.trackId;
  }

  /** Pictures are drawn on a worker and kept (a few hundred, keyed by the track's content). */
  const plots = new Map<string, Buffer>();
  async function renderPlot(id: number, kind: string, format: 'png' | 'svg'): Promise<Buffer> {
    const key = `${id}:${getTrack(db, id)?.sha256}:${kind}.${format}`;
    const hit = plots.get(key);
    if (hit) return hit;
    const r = await pool.run({ kind: 'plot', trackId: id, plot: kind as TrackPlotKind, format, tools: o.tools });
    const body = Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
    plots.set(key, body);
    if (plots.size > 300) plots.delete(plots.keys().next().value as string);
    return body;
  }

  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendJson(res, 400, { error: 'malformed request URL' });
    }
    const auth = checkRequest(req, url, { token, loopback });
    if (typeof auth === 'object') return sendJson(res, auth.status, { error: auth.error });
    const cross = checkOrigin(req);
    if (cross) return sendJson(res, cross.status, { error: cross.error });
    if (auth === 'set-cookie') res.setHeader('set-cookie', `yasr_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    route(req, res, url)
      .catch((err: unknown) => {
        if (!(err instanceof HttpError)) log(`${req.method} ${url.pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        sendError(res, err);
      })
      .finally(() => log(`${req.method} ${url.pathname} ${res.statusCode} ${(performance.now() - t0).toFixed(1)} ms`));
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8080, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const base = `http://${shownHost}:${addr.port}`;
  return {
    url: base,
    openUrl: token ? `${base}/?token=${token}` : `${base}/`,
    token,
    server,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      await pool.close();
      for (const u of uploads.values()) if (!u.trackId) {
        try {
          unlinkSync(u.file);
        } catch {
          /* gone */
        }
      }
      db.close();
    },
  };
}
