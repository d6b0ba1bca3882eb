/**
 * The catalogue sources yasr knows: one adapter per service, one line here. A spec is
 * 'scheme:path[?query]', e.g. 'deezer:releases?genre=116' or 'itunes:search?term=ambient'.
 */
import { badParameter, errorLine, YasrError } from '../errors.js';
import { HttpJson, type HttpStats } from './http-json.js';
import { parseRate, RateLimiter } from './rate-limiter.js';
import { ReplyCache } from './reply-cache.js';
import { onOrAfter } from './since.js';
import type { CatalogueAdapter, CatalogueTrack, ListPage, ServiceName, SourceSpec } from './types.js';
import { deezer } from './adapters/deezer.js';
import { itunes } from './adapters/itunes.js';
import { jamendo } from './adapters/jamendo.js';
import { archive } from './adapters/archive.js';

export const ADAPTERS: Record<ServiceName, CatalogueAdapter> = { deezer, itunes, jamendo, archive };

/** True for 'deezer:...', 'itunes:...' etc. (never for paths or http URLs). */
export function isCatalogueSpec(s: string): boolean {
  const m = /^([a-z]+):/.exec(s);
  return !!m && m[1] in ADAPTERS;
}

export function parseSpec(text: string): SourceSpec {
  const m = /^([a-z]+):([^?#]*)(?:\?([^#]*))?$/.exec(text.trim());
  if (!m || !(m[1] in ADAPTERS)) {
    throw badParameter('source', text, `a catalogue source (${Object.keys(ADAPTERS).map((s) => `${s}:...`).join(', ')})`);
  }
  let params: URLSearchParams;
  let pathParts: string[];
  try {
    params = new URLSearchParams(m[3] ?? '');
    pathParts = m[2].split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    throw badParameter('source', text, 'a well-formed spec (bad %-escape)');
  }
  const spec: SourceSpec = { scheme: m[1] as ServiceName, text: text.trim(), path: pathParts, params };
  ADAPTERS[spec.scheme].check(spec);
  return spec;
}

export interface CatalogueRunOptions {
  since: string | null;
  maxTracks: number | null;
  today?: Date;
  /** Folder for cached replies; null: no cache. */
  cacheDir: string | null;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Test knobs: shorter back-off and stall timeout. */
  http?: { backoffMs?: number; timeoutMs?: number; retries?: number; maxRetryAfterMs?: number };
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

/** Per-process limiters: every listing of one service in a run shares its window. */
const LIMITERS = new Map<string, RateLimiter | null>();

function limiterFor(a: CatalogueAdapter, env: NodeJS.ProcessEnv): RateLimiter | null {
  const envName = `YASR_${a.scheme.toUpperCase()}_RATE`;
  const key = `${a.scheme}:${env[envName] ?? ''}`;
  if (!LIMITERS.has(key)) {
    const r = env[envName] ? parseRate(env[envName]!, envName) : a.rate;
    LIMITERS.set(key, r ? new RateLimiter(r.requests, r.perMs) : null);
  }
  return LIMITERS.get(key)!;
}

export function clientFor(a: CatalogueAdapter, o: CatalogueRunOptions): HttpJson {
  const env = o.env ?? process.env;
  return new HttpJson({
    name: a.scheme,
    base: env[a.baseEnv]?.trim() || a.defaultBase,
    limiter: limiterFor(a, env),
    cache: o.cacheDir ? new ReplyCache(o.cacheDir) : null,
    signal: o.signal,
    onRetry: o.onRetry,
    retryStatuses: a.retryStatuses,
    ...o.http,
  });
}

/** A mapped track must have what ingest needs; the rest is optional. */
function validTrack(t: CatalogueTrack): string | null {
  if (!t.key || !t.artist || !t.title) return 'missing key, artist or title';
  if (!/^https?:\/\//i.test(t.audioUrl)) return `audio URL is not http(s): ${JSON.stringify(t.audioUrl.slice(0, 100))}`;
  if (t.popularity !== null && !(t.popularity >= 0 && t.popularity <= 100)) return `popularity out of range: ${t.popularity}`;
  return null;
}

/**
 * List a catalogue spec page by page: tracks on or after `since`, each key once, at most
 * `maxTracks`. Item problems come back as failures on the page; a listing that cannot go on
 * (its first page fails, the network is down) ends with one failure line for the spec.
 */
export async function* listCatalogue(text: string, o: CatalogueRunOptions, stats?: HttpStats[]): AsyncGenerator<ListPage> {
  const spec = parseSpec(text);
  const adapter = ADAPTERS[spec.scheme];
  const http = clientFor(adapter, o);
  stats?.push(http.stats);
  const seen = new Set<string>();
  let count = 0;
  try {
    for await (const page of adapter.list(spec, { http, env: o.env ?? process.env, options: { since: o.since, today: o.today ?? new Date(), signal: o.signal } })) {
      const out: ListPage = { tracks: [], failures: [...page.failures] };
      for (const t of page.tracks) {
        if (o.maxTracks !== null && count >= o.maxTracks) break;
        const bad = validTrack(t);
        if (bad) out.failures.push({ item: t.key || spec.text, error: bad });
        else if (!seen.has(t.key) && onOrAfter(t.releaseDate, o.since)) {
          seen.add(t.key);
          out.tracks.push(t);
          count++;
        }
      }
      yield out;
      if (o.maxTracks !== null && count >= o.maxTracks) return;
    }
  } catch (err) {
    if (err instanceof YasrError && err.code === 'BAD_PARAMETER') throw err;
    yield { tracks: [], failures: [{ item: spec.text, error: `listing stopped: ${errorLine(err)}` }] };
  }
}

/** For --help: every accepted form. */
export function catalogueHelp(): string {
  return Object.values(ADAPTERS)
    .flatMap((a) => a.forms.map((f) => `  ${f}`))
    .join('\n');
}
