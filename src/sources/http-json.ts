/**
 * The JSON client every catalogue adapter uses: one per source and run.
 * - a rate limiter per source (sliding window), shared by every request of the run;
 * - retries with exponential back-off for network errors, stalls, 408, 429 and 5xx, honouring
 *   Retry-After (capped), and for replies an adapter marks as "try again" (Deezer's quota error);
 * - redirects followed only within the API's own host (a redirect elsewhere is refused);
 * - a disk cache with ETag / Last-Modified revalidation (see reply-cache.ts);
 * - replies checked before they are cached: an HTML page, malformed JSON, an oversized body or
 *   an error object is one clear error naming the URL, and nothing is stored.
 * A User-Agent naming yasr is sent with every request. Secrets in query strings (client_id) are
 * masked in messages.
 */
import { YasrError } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';
import { ReplyCache } from './reply-cache.js';
import { parseRetryAfter } from '../util/retry-after.js';

export const USER_AGENT = 'yasr/0.1 (music discovery by audio similarity; +https://github.com/yasr/yasr)';

/** Thrown by an adapter's `check` to reject a reply; `retry` marks a passing condition (quota). */
export class ReplyError extends Error {
  constructor(
    message: string,
    readonly retry = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface HttpStats {
  /** HTTP requests sent (every attempt, redirects included). */
  requests: number;
  /** Replies taken from the cache without a request. */
  cacheHits: number;
  /** 304 replies (cache revalidated). */
  notModified: number;
  retries: number;
  /** Milliseconds spent waiting for the rate limiter and back-offs. */
  waitedMs: number;
}

export interface HttpJsonOptions {
  /** Source name, for messages ('deezer'). */
  name: string;
  /** Origin (and path prefix) of the API; requests must stay on its host. */
  base: string;
  limiter: RateLimiter | null;
  cache: ReplyCache | null;
  retries?: number;
  backoffMs?: number;
  maxRetryAfterMs?: number;
  /** No response or no body bytes for this long: the attempt failed (stall). */
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** More statuses to retry (beyond 408, 429, 5xx). */
  retryStatuses?: number[];
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface GetOptions {
  /** Use a cached reply younger than this without asking (ms). Default 0: always revalidate. */
  ttlMs?: number;
  /** Validate the parsed body; throw ReplyError to reject it. */
  check?: (body: unknown) => void;
}

class Attempt extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function maskSecrets(url: string): string {
  return url.replace(/([?&](?:client_id|api_key|apikey|key|token|access_token)=)[^&#]*/gi, '$1***');
}

export class HttpJson {
  readonly stats: HttpStats = { requests: 0, cacheHits: 0, notModified: 0, retries: 0, waitedMs: 0 };
  readonly base: URL;
  private readonly o: Required<Omit<HttpJsonOptions, 'signal' | 'onRetry' | 'limiter' | 'cache' | 'retryStatuses'>> & HttpJsonOptions;

  constructor(options: HttpJsonOptions) {
    this.o = {
      retries: 3,
      backoffMs: 500,
      maxRetryAfterMs: 60_000,
      timeoutMs: 20_000,
      maxBytes: 8 * 1024 * 1024,
      maxRedirects: 5,
      sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
      now: () => Date.now(),
      ...options,
    };
    try {
      this.base = new URL(options.base.endsWith('/') ? options.base : `${options.base}/`);
    } catch {
      throw new YasrError('BAD_PARAMETER', `${options.name}: invalid API base URL ${JSON.stringify(options.base)}`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new YasrError('BAD_PARAMETER', `${options.name}: API base URL must be http(s): ${JSON.stringify(options.base)}`);
    }
  }

  /** `rel` is a path relative to the base ('album/302127') or an absolute URL on the same host. */
  url(rel: string, query?: Record<string, string | number | undefined>): URL {
    const u = /^https?:\/\//i.test(rel) ? new URL(rel) : new URL(rel.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** GET a JSON reply (cached, rate-limited, retried). Errors: YasrError('NETWORK', '<source>: <url>: <reason>'). */
  async get(rel: string | URL, g: GetOptions = {}): Promise<unknown> {
    const url = typeof rel === 'string' ? this.url(rel) : rel;
    const shown = maskSecrets(url.href);
    if (url.host !== this.base.host) {
      throw new YasrError('NETWORK', `${this.o.name}: ${shown}: refused: not on the API host ${this.base.host}`);
    }
    const cached = this.o.cache?.get(url.href);
    if (cached && g.ttlMs && this.o.now() - cached.storedAt < g.ttlMs) {
      try {
        const body = JSON.parse(cached.body) as unknown;
        g.check?.(body);
        this.stats.cacheHits++;
        return body;
      } catch {
        // a cached reply that no longer passes is fetched again
      }
    }
    for (let attempt = 1; ; attempt++) {
      if (this.o.signal?.aborted) throw new YasrError('NETWORK', `${this.o.name}: ${shown}: aborted`);
      try {
        return await this.attempt(url, cached, g);
      } catch (err) {
        if (!(err instanceof Attempt)) throw err;
        if (!err.retryable || attempt > this.o.retries || this.o.signal?.aborted) {
          const after = attempt > 1 ? ` (gave up after ${attempt} attempts)` : '';
          throw new YasrError('NETWORK', `${this.o.name}: ${shown}: ${err.message}${after}`, { url: shown, attempts: attempt });
        }
        const delayMs = Math.max(this.o.backoffMs * 2 ** (attempt - 1), Math.min(err.retryAfterMs ?? 0, this.o.maxRetryAfterMs));
        this.stats.retries++;
        this.stats.waitedMs += delayMs;
        this.o.onRetry?.({ url: shown, attempt, delayMs, reason: err.message });
        await this.o.sleep(delayMs);
      }
    }
  }

  private async attempt(start: URL, cached: ReturnType<ReplyCache['get']>, g: GetOptions): Promise<unknown> {
    let url = start;
    for (let hop = 0; ; hop++) {
      if (this.o.limiter) {
        const w0 = this.o.now();
        await this.o.limiter.take();
        this.stats.waitedMs += this.o.now() - w0;
      }
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json' };
      if (cached && hop === 0 && url.href === start.href) {
        if (cached.etag) headers['if-none-match'] = cached.etag;
        if (cached.lastModified) headers['if-modified-since'] = cached.lastModified;
      }
      this.stats.requests++;
      const { status, head, body } = await this.fetchOnce(url, headers);
      if ([301, 302, 303, 307, 308].includes(status)) {
        const loc = head.get('location');
        if (!loc) throw new Attempt(`HTTP ${status} redirect without a Location header`, false);
        let next: URL;
        try {
          next = new URL(loc, url);
        } catch {
          throw new Attempt(`HTTP ${status} redirect to an invalid URL ${JSON.stringify(loc.slice(0, 200))}`, false);
        }
        if (next.host !== this.base.host || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          throw new Attempt(`refused a redirect to another host (${next.protocol}//${next.host})`, false);
        }
        if (hop >= this.o.maxRedirects) throw new Attempt(`too many redirects (${hop + 1})`, false);
        url = next;
        continue;
      }
      if (status === 304 && cached) {
        const parsed = JSON.parse(cached.body) as unknown;
        this.o.cache?.put({ ...cached, storedAt: this.o.now() });
        this.stats.notModified++;
        return parsed;
      }
      const retryAfterMs = parseRetryAfter(head.get('retry-after'), this.o.now());
      if (status === 429) throw new Attempt('HTTP 429 Too Many Requests', true, retryAfterMs);
      if (status >= 500 || status === 408 || this.o.retryStatuses?.includes(status)) throw new Attempt(`HTTP ${status}`, true, retryAfterMs);
      if (status < 200 || status > 299) throw new Attempt(`HTTP ${status}${status === 404 ? ' Not Found' : ''}`, false);
      const type = (head.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      const text = body.toString('utf8');
      if (type === 'text/html' || /^\s*<(!doctype|html|\?xml|head|body)/i.test(text)) {
        throw new Attempt('the server sent a web page (HTML), not JSON', true);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Attempt(`malformed JSON reply (${(err as Error).message.split('\n')[0].slice(0, 120)})`, true);
      }
      try {
        g.check?.(parsed);
      } catch (err) {
        if (err instanceof ReplyError) throw new Attempt(err.message, err.retry, err.retryAfterMs);
        throw err;
      }
      this.o.cache?.put({ url: start.href, body: text, etag: head.get('etag'), lastModified: head.get('last-modified'), storedAt: this.o.now() });
      return parsed;
    }
  }

  /** One request; the idle timer covers the wait for headers and every gap between body chunks. */
  private async fetchOnce(url: URL, headers: Record<string, string>): Promise<{ status: number; head: Headers; body: Buffer }> {
    const ac = new AbortController();
    const onOuter = () => ac.abort();
    this.o.signal?.addEventListener('abort', onOuter, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let stalled = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        ac.abort();
      }, this.o.timeoutMs);
    };
    arm();
    try {
      const res = await fetch(url, { headers, redirect: 'manual', signal: ac.signal });
      arm();
      const len = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(len) && len > this.o.maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new Attempt(`reply larger than ${this.o.maxBytes} bytes (Content-Length ${len})`, false);
      }
      const chunks: Buffer[] = [];
      let n = 0;
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          arm();
          n += value.byteLength;
          if (n > this.o.maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw new Attempt(`reply larger than ${this.o.maxBytes} bytes`, false);
          }
          chunks.push(Buffer.from(value));
        }
      }
      return { status: res.status, head: res.headers, body: Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof Attempt) throw err;
      if (stalled) throw new Attempt(`stalled: no data for ${Math.round(this.o.timeoutMs / 100) / 10} s`, true);
      if (this.o.signal?.aborted) throw new Attempt('aborted', false);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new Attempt(`network error (${why})`, true);
    } finally {
      clearTimeout(timer);
      this.o.signal?.removeEventListener('abort', onOuter);
    }
  }
}
