/**
 * Robust HTTP(S) download into the content-addressed store (see content-store.ts).
 *
 * One call: GET the URL (following up to `maxRedirects` redirects, loops detected), stream the
 * body to a temporary file in `storeDir` while hashing it, check the size against `maxBytes`
 * (from Content-Length before reading, and byte by byte while reading) and against
 * Content-Length at the end, then rename the file atomically to `storeDir/ab/<sha256>.<ext>`.
 * Network errors, stalls, cut bodies, 5xx, 408 and 429 are retried with exponential backoff;
 * other 4xx, redirect problems and size-limit violations are not. On any failure no file and
 * no temporary file is left behind.
 *
 * Errors: YasrError('NETWORK', '<url>: <one-line reason>'), or 'STORE' when the local disk fails.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { badParameter, YasrError } from '../errors.js';
import { AUDIO_FILE_EXTENSIONS } from './audio-extensions.js';
import { commitToStore, sanitizeExtension, tempPathIn } from './content-store.js';
import { parseRetryAfter } from '../util/retry-after.js';

const MiB = 1024 * 1024;

export interface DownloadOptions {
  /** Folder of the content-addressed store (created when missing). */
  storeDir: string;
  /** Idle timeout in ms: no response / no body bytes for this long aborts the attempt. Default 30000. */
  timeoutMs?: number;
  /** Largest accepted body in bytes. Default 200 MiB. */
  maxBytes?: number;
  /** Retries after the first attempt (so at most retries + 1 requests). Default 3. */
  retries?: number;
  /** Backoff before retry n (1-based) is backoffMs * 2^(n-1). Default 500. */
  backoffMs?: number;
  /** Longest wait honoured from a Retry-After header, ms. Default 60000. */
  maxRetryAfterMs?: number;
  /** Redirects followed per attempt. Default 5. */
  maxRedirects?: number;
  /** Refuse `text/html` bodies (a login or error page served with 200). Default true. */
  rejectHtml?: boolean;
  /** Refuse bodies whose Content-Type is neither audio nor a generic binary type (an image, JSON). Default false. */
  audioOnly?: boolean;
  /** Extra request headers (a User-Agent is sent by default). */
  headers?: Record<string, string>;
  /** Cancels the download (no further retries). */
  signal?: AbortSignal;
  /** Waits between attempts; injectable for tests. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface DownloadResult {
  /** Stored file: storeDir/ab/<sha256>.<ext>. */
  path: string;
  sha256: string;
  bytes: number;
  /** Media type from the Content-Type header (lower case, no parameters), if any. */
  contentType: string | undefined;
  /** Requests made, counting the successful one (redirect hops are not counted). */
  attempts: number;
  /** URL after redirects. */
  finalUrl: string;
}

/** Why one attempt failed, and whether trying again may help. */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly extra: { status?: number; retryAfterMs?: number; store?: boolean } = {},
  ) {
    super(message);
  }
}

interface Resolved {
  storeDir: string;
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  backoffMs: number;
  maxRetryAfterMs: number;
  maxRedirects: number;
  rejectHtml: boolean;
  audioOnly: boolean;
  headers: Record<string, string>;
  signal?: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  onRetry?: DownloadOptions['onRetry'];
}

/**
 * Download `url` into the content-addressed store.
 * @param url http(s) URL
 * @param options see {@link DownloadOptions}; defaults: timeoutMs 30000, maxBytes 200 MiB,
 *   retries 3, backoffMs 500, maxRedirects 5
 * @returns stored path, SHA-256 (hex), size, content type, attempts and final URL
 * @throws YasrError('NETWORK', '<url>: <reason>'); YasrError('STORE') for local disk failures;
 *   YasrError('BAD_PARAMETER') for a malformed URL or option
 */
export async function downloadToStore(url: string, options: DownloadOptions): Promise<DownloadResult> {
  const o = resolveOptions(options);
  let start: URL;
  try {
    start = new URL(url);
  } catch {
    throw badParameter('url', url, 'an http(s) URL');
  }
  if (start.protocol !== 'http:' && start.protocol !== 'https:') throw badParameter('url', url, 'an http(s) URL');
  const shown = displayUrl(start);
  try {
    await mkdir(o.storeDir, { recursive: true });
  } catch (err) {
    throw new YasrError('STORE', `${o.storeDir}: cannot create the download folder (${(err as Error).message})`);
  }

  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw new YasrError('NETWORK', `${shown}: aborted`, { url: shown, attempts: attempt - 1 });
    try {
      const r = await attemptDownload(start, o);
      return { ...r, attempts: attempt };
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      const aborted = o.signal?.aborted === true;
      if (err.extra.store) {
        throw new YasrError('STORE', `${shown}: ${err.message}`, { url: shown, attempts: attempt });
      }
      if (aborted || !err.retryable || attempt > o.retries) {
        const after = attempt > 1 ? ` (gave up after ${attempt} attempts)` : '';
        throw new YasrError('NETWORK', `${shown}: ${aborted ? 'aborted' : err.message}${after}`, {
          url: shown,
          attempts: attempt,
          status: err.extra.status,
          retryable: err.retryable,
        });
      }
      const backoff = o.backoffMs * 2 ** (attempt - 1);
      const delayMs = Math.max(backoff, Math.min(err.extra.retryAfterMs ?? 0, o.maxRetryAfterMs));
      o.onRetry?.({ attempt, delayMs, reason: err.message });
      await o.sleep(delayMs);
    }
  }
}

function resolveOptions(options: DownloadOptions): Resolved {
  const num = (name: string, v: number | undefined, def: number, min: number, integer: boolean): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw badParameter(name, v, `${integer ? 'an integer' : 'a number'} >= ${min}`);
    }
    return v;
  };
  if (typeof options.storeDir !== 'string' || options.storeDir === '') throw badParameter('storeDir', options.storeDir, 'a folder path');
  return {
    storeDir: options.storeDir,
    timeoutMs: num('timeoutMs', options.timeoutMs, 30_000, 1, false),
    maxBytes: num('maxBytes', options.maxBytes, 200 * MiB, 1, true),
    retries: num('retries', options.retries, 3, 0, true),
    backoffMs: num('backoffMs', options.backoffMs, 500, 0, false),
    maxRetryAfterMs: num('maxRetryAfterMs', options.maxRetryAfterMs, 60_000, 0, false),
    maxRedirects: num('maxRedirects', options.maxRedirects, 5, 0, true),
    rejectHtml: options.rejectHtml ?? true,
    audioOnly: options.audioOnly ?? false,
    headers: {
      'user-agent': 'yasr/0.1 (+https://github.com/yasr)',
      accept: '*/*',
      'accept-encoding': 'identity',
      ...lowerKeys(options.headers ?? {}),
    },
    signal: options.signal,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    onRetry: options.onRetry,
  };
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

async function attemptDownload(start: URL, o: Resolved): Promise<Omit<DownloadResult, 'attempts'>> {
  let url = start;
  const visited = new Set<string>([url.href]);
  let redirects = 0;
  for (;;) {
    const res = await openResponse(url, o);
    const status = res.statusCode ?? 0;
    if (REDIRECT_STATUS.has(status)) {
      res.destroy();
      const location = res.headers.location;
      if (!location) throw new AttemptFailure(`HTTP ${status} redirect without a Location header`, false, { status });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new AttemptFailure(`HTTP ${status} redirect to an invalid URL ${JSON.stringify(location)}`, false, { status });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new AttemptFailure(`redirect to a non-http(s) URL (${next.protocol.replace(/:$/, '')})`, false, { status });
      }
      redirects++;
      if (visited.has(next.href)) {
        throw new AttemptFailure(`redirect loop: ${displayUrl(next)} visited twice`, false, { status });
      }
      if (redirects > o.maxRedirects) throw new AttemptFailure(`too many redirects (${redirects})`, false, { status });
      visited.add(next.href);
      url = next;
      continue;
    }
    if (status < 200 || status > 299) {
      res.destroy();
      const retryable = status >= 500 || status === 408 || status === 429;
      const text = res.statusMessage || http.STATUS_CODES[status] || '';
      throw new AttemptFailure(`HTTP ${status}${text ? ` ${text}` : ''}`, retryable, {
        status,
        retryAfterMs: parseRetryAfter(res.headers['retry-after']),
      });
    }
    return receiveBody(url, start, res, o);
  }
}

/** Send the GET and wait for the response head (idle timeout covers connect + headers). */
function openResponse(url: URL, o: Resolved): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = mod.request(url, { method: 'GET', headers: o.headers, agent: false, signal: o.signal });
    } catch (err) {
      reject(new AttemptFailure(`cannot send the request (${(err as Error).message})`, false));
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      reject(new AttemptFailure(`stalled: no response for ${formatDuration(o.timeoutMs)}`, true));
    }, o.timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(networkFailure(err));
    });
    req.end();
  });
}

async function receiveBody(url: URL, start: URL, res: IncomingMessage, o: Resolved): Promise<Omit<DownloadResult, 'attempts'>> {
  const contentType = mediaType(res.headers['content-type']);
  const contentLength = parseContentLength(res.headers['content-length']);
  if (o.rejectHtml && contentType === 'text/html') {
    res.destroy();
    throw new AttemptFailure('the server sent a web page (text/html), not audio', false);
  }
  if (o.audioOnly && contentType && !isAudioType(contentType)) {
    res.destroy();
    throw new AttemptFailure(`not audio: the server sent ${contentType}`, false);
  }
  if (contentLength !== undefined && contentLength > o.maxBytes) {
    res.destroy();
    throw new AttemptFailure(`larger than the ${formatBytes(o.maxBytes)} limit (Content-Length ${contentLength} bytes)`, false);
  }

  // Listeners go on `res` before any await (events that fire meanwhile would be lost), so the
  // temporary file is opened concurrently and the first write waits for it.
  const tmp = tempPathIn(o.storeDir);
  const fhReady = open(tmp, 'wx');
  let closed = false;
  let committed = false;
  try {
    const { sha256, bytes } = await pump(res, fhReady, contentLength, o);
    if (bytes === 0) throw new AttemptFailure('empty body (0 bytes)', false);
    try {
      const fh = await fhReady;
      await fh.sync();
      closed = true;
      await fh.close();
    } catch (err) {
      throw new AttemptFailure(`cannot write the temporary file (${(err as Error).message})`, false, { store: true });
    }
    const ext = extensionFor(url, start, contentType);
    let stored: string;
    try {
      stored = await commitToStore(tmp, o.storeDir, sha256, ext);
    } catch (err) {
      throw new AttemptFailure(`cannot move the download into the store (${(err as Error).message})`, false, { store: true });
    }
    committed = true;
    return { path: stored, sha256, bytes, contentType, finalUrl: url.href };
  } finally {
    res.destroy();
    if (!closed) await fhReady.then((fh) => fh.close()).catch(() => undefined);
    if (!committed) await unlink(tmp).catch(() => undefined);
  }
}

/** Pause reading when this many bytes wait to be written; resume below the low mark. */
const HIGH_WATER = 4 * MiB;
const LOW_WATER = 1 * MiB;

/** Stream the body to `fh`, hashing and counting; enforce idle timeout, size limit, Content-Length. */
function pump(
  res: IncomingMessage,
  fhReady: Promise<FileHandle>,
  contentLength: number | undefined,
  o: Resolved,
): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let queued = 0;
    let paused = false;
    let ended = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let writing: Promise<void> = fhReady.then(
      () => undefined,
      (err: Error) => fail(new AttemptFailure(`cannot create a temporary file (${err.message})`, false, { store: true })),
    );

    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new AttemptFailure(`stalled: no data for ${formatDuration(o.timeoutMs)}`, true)), o.timeoutMs);
    };
    const fail = (e: AttemptFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.destroy();
      // Let an in-flight write finish before the caller closes the file.
      void writing.then(() => reject(e));
    };
    const cut = (err?: Error): AttemptFailure => {
      if (contentLength !== undefined) return new AttemptFailure(`body cut short: ${bytes} of ${contentLength} bytes`, true);
      const why = err ? networkReason(err) : 'connection closed';
      return new AttemptFailure(`connection lost after ${bytes} bytes (${why})`, true);
    };

    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > o.maxBytes) {
        fail(new AttemptFailure(`larger than the ${formatBytes(o.maxBytes)} limit`, false));
        return;
      }
      hash.update(chunk);
      arm();
      queued += chunk.length;
      writing = writing.then(async () => {
        if (settled) return;
        try {
          const fh = await fhReady;
          for (let off = 0; off < chunk.length; ) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
            off += bytesWritten;
          }
        } catch (err) {
          fail(new AttemptFailure(`cannot write the temporary file (${(err as Error).message})`, false, { store: true }));
          return;
        }
        queued -= chunk.length;
        if (paused && queued <= LOW_WATER && !settled) {
          paused = false;
          arm();
          res.resume();
        }
      });
      if (!paused && queued > HIGH_WATER) {
        // Waiting for the disk is not a network stall.
        paused = true;
        clearTimeout(timer);
        res.pause();
      }
    });
    res.on('end', () => {
      ended = true;
      clearTimeout(timer);
      void writing.then(() => {
        if (settled) return;
        if (contentLength !== undefined && bytes !== contentLength) {
          fail(
            bytes < contentLength
              ? cut()
              : new AttemptFailure(`body longer than its Content-Length: ${bytes} of ${contentLength} bytes`, true),
          );
          return;
        }
        settled = true;
        resolve({ sha256: hash.digest('hex'), bytes });
      });
    });
    res.on('error', (err) => fail(cut(err)));
    res.on('close', () => {
      if (!ended) fail(cut());
    });
    arm();
  });
}

function networkFailure(err: Error): AttemptFailure {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (err.name === 'AbortError') return new AttemptFailure('aborted', false);
  const permanent =
    code === 'ENOTFOUND' ||
    code.startsWith('HPE_') ||
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code.startsWith('UNABLE_TO_');
  return new AttemptFailure(networkReason(err), !permanent);
}

function networkReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EAI_AGAIN':
      return 'DNS lookup failed (temporary)';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'EPIPE':
      return 'connection closed by the server';
    default: {
      const msg = err.message.split('\n')[0];
      return code && !msg.includes(code) ? `${msg} (${code})` : msg;
    }
  }
}

function parseContentLength(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function mediaType(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = v.split(';')[0].trim().toLowerCase();
  return t === '' ? undefined : t;
}

const TYPE_EXTENSIONS: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/x-aac': 'aac',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/ogg': 'ogg',
  'application/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/webm': 'webm',
  'video/webm': 'webm',
  'video/mp4': 'mp4',
  'audio/aiff': 'aiff',
  'audio/x-aiff': 'aiff',
  'audio/x-ms-wma': 'wma',
  'audio/x-matroska': 'mka',
};

/** Audio, an audio-bearing container, or a generic binary type some CDNs send for everything. */
function isAudioType(t: string): boolean {
  return t.startsWith('audio/') || t in TYPE_EXTENSIONS || t === 'application/octet-stream' || t === 'binary/octet-stream';
}

/** Extension from the final URL's path, else the first URL's, else Content-Type, else 'bin'. */
function extensionFor(finalUrl: URL, start: URL, contentType: string | undefined): string {
  for (const u of [finalUrl, start]) {
    let base: string;
    try {
      base = path.posix.basename(decodeURIComponent(u.pathname));
    } catch {
      base = path.posix.basename(u.pathname);
    }
    const e = sanitizeExtension(path.posix.extname(base));
    if (e && AUDIO_FILE_EXTENSIONS.has(e)) return e;
  }
  return (contentType && TYPE_EXTENSIONS[contentType]) || 'bin';
}

/** The URL as shown in messages: any password replaced by `***`. */
function displayUrl(u: URL): string {
  if (!u.password) return u.href;
  const c = new URL(u.href);
  c.password = '***';
  return c.href;
}

/** 30000 -> '30 s', 1500 -> '1.5 s', 300 -> '300 ms'. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

/** 209715200 -> '200 MiB', 2048 -> '2 KiB', 1000 -> '1000 bytes'. */
export function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
