/**
 * Manifest reader for `yasr ingest`: a `.csv` (RFC 4180, header row required) or `.jsonl`
 * (one JSON object per line) listing the tracks to ingest. Every row is validated on its own;
 * a bad row becomes an entry in `errors` (with its line number) and the rest continue. Only a
 * manifest that cannot be read at all throws (`YasrError('BAD_INPUT', '<file>: reason')`).
 *
 * Columns / keys (case-insensitive; `_`, `-` and spaces are ignored, so `release_date`,
 * `releaseDate` and `Release Date` are the same column):
 *   path, url, query, artist, title, album, release_date, popularity
 * A row must give a `path` (resolved against the manifest's folder), an http(s) `url`, or a
 * downloader search: `query`, or both `artist` and `title` (searched as "artist - title").
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YasrError } from '../errors.js';
import { AUDIO_FILE_EXTENSIONS } from './audio-extensions.js';
import { parseCsv } from '../util/csv.js';
import { cleanText, isPathTraversal } from './safe-text.js';

/** One validated manifest row. Absent optional fields are left out (never empty strings). */
export interface ManifestRow {
  /** 1-based line of the row in the manifest (for CSV: the line the record starts on). */
  line: number;
  /** Absolute path of a local audio file. */
  path?: string;
  /** Normalised http(s) URL to download. */
  url?: string;
  /** Search text for an external downloader (rows with neither path nor url). */
  query?: string;
  artist?: string;
  title?: string;
  album?: string;
  /** 'YYYY' | 'YYYY-MM' | 'YYYY-MM-DD', checked to be a real calendar date. */
  releaseDate?: string;
  /** Integer 0..100. */
  popularity?: number;
}

/** A rejected row (`error`) or a skipped duplicate / ignored column (`warning`). */
export interface ManifestIssue {
  line: number;
  message: string;
  level: 'error' | 'warning';
}

export interface ManifestResult {
  rows: ManifestRow[];
  errors: ManifestIssue[];
}

export type ManifestFormat = 'csv' | 'jsonl';

export interface ManifestOptions {
  /** Reject rows without an artist (default false: the artist may come from the file's tags). */
  requireArtist?: boolean;
  /** Force a format; default from the extension (.csv; .jsonl / .ndjson). */
  format?: ManifestFormat;
}

export interface ParseManifestOptions extends ManifestOptions {
  format: ManifestFormat;
  /** Folder that relative `path` values are resolved against. */
  baseDir: string;
  /** Name used in thrown errors (default 'manifest'). */
  source?: string;
}

type Field = 'path' | 'url' | 'query' | 'artist' | 'title' | 'album' | 'releaseDate' | 'popularity';

const COLUMNS: Record<string, Field> = {
  path: 'path',
  url: 'url',
  query: 'query',
  artist: 'artist',
  title: 'title',
  album: 'album',
  releasedate: 'releaseDate',
  popularity: 'popularity',
};

const COLUMN_LIST = 'path, url, query, artist, title, album, release_date, popularity';

/** The field a column name / JSON key means: case-insensitive, `_`, `-`, spaces ignored. */
function fieldOf(name: string): Field | undefined {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return Object.hasOwn(COLUMNS, key) ? COLUMNS[key] : undefined;
}

/**
 * Read and validate a manifest file (synchronous).
 * @param file path to a `.csv`, `.jsonl` or `.ndjson` file (UTF-8, optional BOM; UTF-16 with BOM
 *   is accepted too)
 * @param options `requireArtist` (default false), `format` (default from the extension)
 * @throws YasrError('BAD_INPUT', '<file>: reason') when the file cannot be read at all
 */
export function parseManifestFile(file: string, options: ManifestOptions = {}): ManifestResult {
  const format = options.format ?? formatFromName(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw readError(file, err);
  }
  return parseManifestBytes(bytes, file, format, options);
}

/** Asynchronous {@link parseManifestFile}: same result, same errors. */
export async function readManifest(file: string, options: ManifestOptions = {}): Promise<ManifestResult> {
  const format = options.format ?? formatFromName(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw readError(file, err);
  }
  return parseManifestBytes(bytes, file, format, options);
}

function parseManifestBytes(bytes: Buffer, file: string, format: ManifestFormat, options: ManifestOptions): ManifestResult {
  const text = decodeText(bytes, file);
  return parseManifest(text, {
    ...options,
    format,
    baseDir: path.dirname(path.resolve(file)),
    source: file,
  });
}

function readError(file: string, err: unknown): YasrError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'is a folder, not a file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : (err as Error).message;
  return new YasrError('BAD_INPUT', `${file}: ${reason}`, { file });
}

function formatFromName(file: string): ManifestFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new YasrError(
    'BAD_INPUT',
    `${file}: unsupported manifest type ${JSON.stringify(ext || '(no extension)')} (expected .csv or .jsonl)`,
    { file },
  );
}

function decodeText(bytes: Buffer, file: string): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    // TextDecoder drops a UTF-8 BOM itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new YasrError('BAD_INPUT', `${file}: not valid UTF-8 text (save the manifest as UTF-8)`, { file });
  }
}

/**
 * Validate manifest text (no file access).
 * @param text whole manifest contents
 * @param options `format`, `baseDir` for relative paths, `requireArtist` (default false),
 *   `source` for error messages (default 'manifest')
 * @throws YasrError('BAD_INPUT') for a CSV without a usable header row
 */
export function parseManifest(text: string, options: ParseManifestOptions): ManifestResult {
  const ctx = new RowContext(options);
  if (options.format === 'csv') parseCsvManifest(text, ctx, options.source ?? 'manifest');
  else parseJsonlManifest(text, ctx);
  ctx.errors.sort((a, b) => a.line - b.line);
  return { rows: ctx.rows, errors: ctx.errors };
}

function parseCsvManifest(text: string, ctx: RowContext, source: string): void {
  const { records, errors } = parseCsv(text);
  for (const e of errors) ctx.errors.push({ ...e, level: 'error' });
  const header = records[0];
  if (!header) {
    if (errors.length > 0) return;
    throw new YasrError('BAD_INPUT', `${source}: empty manifest (a header row is required: ${COLUMN_LIST})`, { file: source });
  }
  const fields: (Field | undefined)[] = [];
  const seen = new Map<Field, string>();
  for (const name of header.fields) {
    const field = fieldOf(name);
    fields.push(field);
    if (field === undefined) {
      if (name.trim() !== '') {
        ctx.warn(header.line, `unknown column ${JSON.stringify(name)} ignored (known columns: ${COLUMN_LIST})`);
      }
      continue;
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      throw new YasrError('BAD_INPUT', `${source}: column ${JSON.stringify(name)} appears twice in the header (also ${JSON.stringify(earlier)})`, { file: source });
    }
    seen.set(field, name);
  }
  // A first row naming a file or URL is data, not a header ("a.mp3,Artist,Title").
  const looksLikeData = header.fields.some(
    (f) => /^https?:\/\//i.test(f.trim()) || AUDIO_FILE_EXTENSIONS.has(path.extname(f.trim()).slice(1).toLowerCase()),
  );
  if (seen.size === 0 || looksLikeData) {
    throw new YasrError(
      'BAD_INPUT',
      `${source}: line ${header.line} is not a header row (expected column names among ${COLUMN_LIST})`,
      { file: source },
    );
  }
  for (const record of records.slice(1)) {
    if (record.fields.length > header.fields.length) {
      ctx.error(
        record.line,
        `${record.fields.length} fields but the header has ${header.fields.length} (an unquoted comma? quote fields that contain commas)`,
      );
      continue;
    }
    const raw: Partial<Record<Field, unknown>> = {};
    record.fields.forEach((value, i) => {
      const field = fields[i];
      if (field !== undefined) raw[field] = value;
    });
    ctx.addRow(record.line, raw);
  }
}

function parseJsonlManifest(text: string, ctx: RowContext): void {
  const lines = text.split(/\r\n|\n|\r/);
  const warned = new Set<string>();
  lines.forEach((content, idx) => {
    const line = idx + 1;
    const trimmed = (idx === 0 ? content.replace(/^\uFEFF/, '') : content).trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      ctx.error(line, `malformed JSON: ${(err as Error).message}`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.error(line, `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
      return;
    }
    const raw: Partial<Record<Field, unknown>> = {};
    const problems: string[] = [];
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const field = fieldOf(key);
      if (field === undefined) {
        if (!warned.has(key)) {
          warned.add(key);
          ctx.warn(line, `unknown key ${JSON.stringify(key)} ignored (known keys: ${COLUMN_LIST})`);
        }
        continue;
      }
      if (field in raw) problems.push(`key ${JSON.stringify(key)} given twice`);
      raw[field] = v;
    }
    if (problems.length > 0) ctx.error(line, problems.join('; '));
    else ctx.addRow(line, raw);
  });
}

/** Collects rows and issues, and detects duplicates. */
class RowContext {
  readonly rows: ManifestRow[] = [];
  readonly errors: ManifestIssue[] = [];
  private readonly firstLine = new Map<string, number>();

  constructor(private readonly options: ParseManifestOptions) {}

  error(line: number, message: string): void {
    this.errors.push({ line, message, level: 'error' });
  }

  warn(line: number, message: string): void {
    this.errors.push({ line, message, level: 'warning' });
  }

  addRow(line: number, raw: Partial<Record<Field, unknown>>): void {
    const { row, problems } = validateRow(line, raw, this.options);
    if (problems.length > 0 || row === undefined) {
      this.error(line, problems.join('; '));
      return;
    }
    const keys: string[] = [];
    if (row.path !== undefined) keys.push(`path:${row.path}`);
    if (row.url !== undefined) keys.push(`url:${row.url}`);
    if (row.path === undefined && row.url === undefined) keys.push(`query:${downloadQuery(row)?.toLowerCase()}`);
    for (const key of keys) {
      const first = this.firstLine.get(key);
      if (first !== undefined) {
        this.warn(line, `duplicate of line ${first}`);
        return;
      }
    }
    for (const key of keys) this.firstLine.set(key, line);
    this.rows.push(row);
  }
}

/**
 * The downloader search text for a row: its `query`, else "artist - title".
 * @returns undefined when the row has neither a query nor both artist and title
 */
export function downloadQuery(row: Pick<ManifestRow, 'query' | 'artist' | 'title'>): string | undefined {
  if (row.query !== undefined && row.query !== '') return row.query;
  if (row.artist && row.title) return `${row.artist} - ${row.title}`;
  return undefined;
}

function validateRow(
  line: number,
  raw: Partial<Record<Field, unknown>>,
  options: ParseManifestOptions,
): { row?: ManifestRow; problems: string[] } {
  const problems: string[] = [];
  const row: ManifestRow = { line };

  const text = (field: Field, name: string): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return cleanText(String(v));
    if (typeof v !== 'string') {
      problems.push(`${name} must be text, got ${Array.isArray(v) ? 'an array' : typeof v}`);
      return undefined;
    }
    return cleanText(v);
  };

  const artist = text('artist', 'artist');
  const title = text('title', 'title');
  const album = text('album', 'album');
  const query = text('query', 'query');
  if (artist !== undefined) row.artist = artist;
  if (title !== undefined) row.title = title;
  if (album !== undefined) row.album = album;
  if (query !== undefined) row.query = query;

  // path
  const rawPath = raw.path;
  if (rawPath !== undefined && rawPath !== null) {
    if (typeof rawPath !== 'string') {
      problems.push(`path must be text, got ${typeof rawPath}`);
    } else {
      const p = rawPath.trim();
      if (p !== '') {
        const resolved = resolvePath(p, options.baseDir);
        if (typeof resolved === 'string') row.path = resolved;
        else problems.push(resolved.problem);
      }
    }
  }

  // url
  const url = text('url', 'url');
  if (url !== undefined) {
    const checked = checkUrl(url);
    if (typeof checked === 'string') row.url = checked;
    else problems.push(checked.problem);
  }

  // release date
  const date = text('releaseDate', 'release_date');
  if (date !== undefined) {
    const d = parseReleaseDate(date);
    if (d === undefined) {
      problems.push(`release_date ${JSON.stringify(date)} is not a valid date (expected YYYY, YYYY-MM or YYYY-MM-DD)`);
    } else {
      row.releaseDate = d;
    }
  }

  // popularity
  const pop = raw.popularity;
  if (pop !== undefined && pop !== null && !(typeof pop === 'string' && pop.trim() === '')) {
    const p = parsePopularity(pop);
    if (typeof p === 'number') row.popularity = p;
    else problems.push(p.problem);
  }

  // What to fetch.
  const pathGiven = rawPath !== undefined && rawPath !== null && !(typeof rawPath === 'string' && rawPath.trim() === '');
  if (!pathGiven && url === undefined) {
    const q = downloadQuery(row);
    if (q === undefined) {
      problems.push(
        query === undefined && (artist !== undefined || title !== undefined)
          ? 'nothing to fetch: no path, url or query (and not both artist and title to search for)'
          : 'nothing to fetch: the row has none of path, url, query',
      );
    } else if (isPathTraversal(q)) {
      problems.push(`${row.query !== undefined ? 'query' : 'artist - title'} ${JSON.stringify(q)} would be a path outside the download folder (path traversal)`);
    }
  }

  if (options.requireArtist && artist === undefined) problems.push('missing artist (an artist is required)');

  return problems.length > 0 ? { problems } : { row, problems };
}

function resolvePath(p: string, baseDir: string): string | { problem: string } {
  if (p.includes('\u0000')) return { problem: 'path contains a NUL character' };
  if (/^https?:\/\//i.test(p)) return { problem: `path ${JSON.stringify(p)} is a URL (put it in the url column)` };
  if (/^file:\/\//i.test(p)) {
    try {
      return fileURLToPath(p);
    } catch (err) {
      return { problem: `path ${JSON.stringify(p)} is not a valid file URL (${(err as Error).message})` };
    }
  }
  if (p === '~' || p.startsWith('~/')) return path.join(homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}

function checkUrl(s: string): string | { problem: string } {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { problem: `url ${JSON.stringify(s)} is not a valid URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { problem: `url ${JSON.stringify(s)} is not http(s) (scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))})` };
  }
  if (u.hostname === '') return { problem: `url ${JSON.stringify(s)} has no host` };
  return u.href;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Check a release date: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' naming a real calendar day
 * (leap years honoured; year 1000..9999).
 * @returns the date unchanged when valid, else undefined
 */
export function parseReleaseDate(value: string): string | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year < 1000) return undefined;
  if (m[2] === undefined) return m[1];
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return `${m[1]}-${m[2]}`;
  const day = Number(m[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > max) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Check a popularity value: an integer 0..100, given as a number or as text ("42", "42.0").
 * @returns the integer, or a problem description
 */
export function parsePopularity(value: unknown): number | { problem: string } {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (!/^[+-]?\d+(\.0*)?$/.test(s)) {
      return {
        problem: /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)
          ? `popularity ${JSON.stringify(value)} is not an integer (expected 0..100)`
          : `popularity ${JSON.stringify(value)} is not a number (expected an integer 0..100)`,
      };
    }
    n = Number(s);
  } else {
    return { problem: `popularity must be a number, got ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  if (!Number.isFinite(n)) return { problem: `popularity ${JSON.stringify(value)} is not a number (expected an integer 0..100)` };
  if (!Number.isInteger(n)) return { problem: `popularity ${JSON.stringify(value)} is not an integer (expected 0..100)` };
  if (n < 0 || n > 100) return { problem: `popularity ${JSON.stringify(value)} is out of range (expected 0..100)` };
  return n;
}
