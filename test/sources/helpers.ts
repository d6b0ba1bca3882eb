/** Shared bits of the catalogue-source tests: run a listing against a replay server. */
import { listCatalogue, type CatalogueRunOptions } from '../../src/sources/registry.js';
import type { HttpStats } from '../../src/sources/http-json.js';
import type { CatalogueTrack } from '../../src/sources/types.js';
import type { ReplayServer } from './replay-server.js';

/** "Today" in every test: a Sunday; --since 7d is 2025-06-08. */
export const TODAY = new Date('2025-06-15T12:00:00Z');
export const SINCE = '2025-06-08';

/** Environment pointing every service at the replay server, no rate limit. */
export function replayEnv(s: ReplayServer, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    YASR_DEEZER_API: s.origin,
    YASR_ITUNES_API: s.origin,
    YASR_JAMENDO_API: `${s.origin}/v3.0`,
    YASR_ARCHIVE_API: s.origin,
    YASR_JAMENDO_CLIENT_ID: 'test-client-1234',
    YASR_DEEZER_RATE: 'off',
    YASR_ITUNES_RATE: 'off',
    YASR_JAMENDO_RATE: 'off',
    YASR_ARCHIVE_RATE: 'off',
    ...extra,
  };
}

export interface Listed {
  tracks: CatalogueTrack[];
  failures: { item: string; error: string }[];
  pages: number;
  stats: HttpStats;
  retries: { url: string; attempt: number; delayMs: number; reason: string }[];
}

export async function list(s: ReplayServer, spec: string, o: Partial<CatalogueRunOptions> = {}): Promise<Listed> {
  const stats: HttpStats[] = [];
  const out: Listed = { tracks: [], failures: [], pages: 0, stats: undefined as unknown as HttpStats, retries: [] };
  const run: CatalogueRunOptions = {
    since: SINCE,
    maxTracks: null,
    today: TODAY,
    cacheDir: null,
    env: replayEnv(s),
    http: { backoffMs: 5, timeoutMs: 2000, retries: 2, maxRetryAfterMs: 50 },
    onRetry: (r) => out.retries.push(r),
    ...o,
  };
  for await (const p of listCatalogue(spec, run, stats)) {
    out.pages++;
    out.tracks.push(...p.tracks);
    out.failures.push(...p.failures);
  }
  out.stats = stats[0];
  return out;
}

export function byKey(tracks: CatalogueTrack[]): Record<string, CatalogueTrack> {
  return Object.fromEntries(tracks.map((t) => [t.key, t]));
}
