import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YasrError } from '../../errors.js';
import { DEFAULT_FEATURE_OPTIONS, GROUPS_EXPECTED, validGroups, type FeatureOptions, type FeatureGroup } from '../feature-options.js';
import { METHODS, type SimilarityParams } from '../similarity/methods.js';
import { BLOCK_WEIGHTS_EXPECTED, WEIGHTS_EXPECTED, validBlockWeights, validWeights } from '../similarity/defaults.js';
import { isMethodName } from '../similarity/registry.js';
import { isCatalogueSpec, parseSpec } from '../../sources/registry.js';
import { parseSince } from '../../sources/since.js';

/** A named pipeline: what the nightly job ingests, analyses and compares. */
export interface PipelineDefinition {
  name: string;
  file: string;
  /** Folders, files, manifests or URLs; relative paths are resolved against the pipeline file's folder. */
  sources: string[];
  features: FeatureOptions;
  similarity: SimilarityParams[];
  k: number;
  workers?: number;
  downloader?: string;
  /** Catalogue sources: release window ('7d', 'YYYY-MM-DD') and cap per source. */
  since?: string;
  maxTracks?: number;
  /** The weekly discovery report, when present. */
  discover?: DiscoverStep;
}

export interface DiscoverStep {
  since: string;
  k: number;
  perArtist: number;
  maxPopularity: number;
  method: SimilarityParams;
  /** Folder for report.txt/json, discoveries.m3u and index.html; relative to the pipeline file. */
  out?: string;
}

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** NAME -> ./pipelines/NAME.json, else yasr's own pipelines/NAME.json; FILE -> FILE. */
export function locatePipeline(ref: string): string {
  if (ref.endsWith('.json') || ref.includes('/') || ref.includes(path.sep)) return path.resolve(ref);
  const candidates = [path.resolve('pipelines', `${ref}.json`), path.join(PACKAGE_ROOT, 'pipelines', `${ref}.json`)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new YasrError('NOT_FOUND', `no pipeline named "${ref}" (looked for ${candidates.join(', ')})`);
  return found;
}

function fail(file: string, where: string, msg: string): never {
  throw new YasrError('BAD_INPUT', `${file}: ${where}: ${msg}`);
}

const TOP_KEYS = new Set(['sources', 'features', 'similarity', 'k', 'workers', 'downloader', 'description', 'since', 'maxTracks', 'discover']);
const DISCOVER_KEYS = new Set(['since', 'k', 'perArtist', 'maxPopularity', 'method', 'out']);
const FEATURE_KEYS = new Set(['groups', 'trim', 'excerpt', 'keep']);
const SIM_KEYS = new Set(['method', 'vector', 'standardize', 'pool', 'band', 'radius', 'shortlist', 'candidates', 'weights', 'mp', 'deltas', 'supervector', 'blockWeights', 'blockNorm']);

/** Read and validate a pipeline file; every error names the file and the offending key. */
export function loadPipeline(ref: string): PipelineDefinition {
  const file = locatePipeline(ref);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new YasrError('BAD_INPUT', `${file}: cannot read pipeline: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(file, '(top)', 'expected a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_KEYS.has(k)) fail(file, k, `unknown key (allowed: ${[...TOP_KEYS].join(', ')})`);
  const base = path.dirname(file);
  if (!Array.isArray(o.sources) || o.sources.some((s) => typeof s !== 'string' || !s)) fail(file, 'sources', 'expected a list of paths or URLs');
  const sources = (o.sources as string[]).map((s) => (/^https?:\/\//i.test(s) || isCatalogueSpec(s) ? s : path.resolve(base, s)));
  for (const s of sources) {
    if (!isCatalogueSpec(s)) continue;
    try {
      parseSpec(s);
    } catch (err) {
      fail(file, 'sources', (err as Error).message);
    }
  }
  const checkSince = (v: unknown, where: string): string => {
    if (typeof v !== 'string') fail(file, where, `${JSON.stringify(v)}: '7d', '2w', '1m' or YYYY-MM-DD`);
    try {
      parseSince(v as string);
    } catch {
      fail(file, where, `${JSON.stringify(v)}: '7d', '2w', '1m' or YYYY-MM-DD`);
    }
    return v as string;
  };
  if (o.since !== undefined) checkSince(o.since, 'since');
  if (o.maxTracks !== undefined && !(Number.isInteger(o.maxTracks) && (o.maxTracks as number) >= 1)) fail(file, 'maxTracks', `${JSON.stringify(o.maxTracks)}: a positive integer`);
  let discover: DiscoverStep | undefined;
  if (o.discover !== undefined) {
    const d = o.discover as Record<string, unknown>;
    if (!d || typeof d !== 'object' || Array.isArray(d)) fail(file, 'discover', 'expected an object');
    for (const k of Object.keys(d)) if (!DISCOVER_KEYS.has(k)) fail(file, `discover.${k}`, `unknown key (allowed: ${[...DISCOVER_KEYS].join(', ')})`);
    const int = (k: string, def: number, min: number, max: number): number => {
      const v = d[k] ?? def;
      if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) fail(file, `discover.${k}`, `${JSON.stringify(d[k])}: an integer from ${min} to ${max}`);
      return v as number;
    };
    const method = d.method ?? 'cosine';
    if (!isMethodName(method)) fail(file, 'discover.method', `${JSON.stringify(method)}: one of ${METHODS.join(', ')}`);
    if (d.out !== undefined && (typeof d.out !== 'string' || !d.out)) fail(file, 'discover.out', 'expected a folder path');
    discover = {
      since: checkSince(d.since ?? o.since ?? '7d', 'discover.since'),
      k: int('k', 20, 1, 1000),
      perArtist: int('perArtist', 1, 1, 1000),
      maxPopularity: int('maxPopularity', 70, 0, 100),
      method: { method } as SimilarityParams,
      out: d.out ? path.resolve(base, d.out as string) : undefined,
    };
  }
  const f = (o.features ?? {}) as Record<string, unknown>;
  if (typeof f !== 'object' || Array.isArray(f)) fail(file, 'features', 'expected an object');
  for (const k of Object.keys(f)) if (!FEATURE_KEYS.has(k)) fail(file, `features.${k}`, `unknown key (allowed: ${[...FEATURE_KEYS].join(', ')})`);
  const groups = (f.groups ?? DEFAULT_FEATURE_OPTIONS.groups) as FeatureGroup[];
  if (!validGroups(groups)) fail(file, 'features.groups', `${JSON.stringify(f.groups)}: ${GROUPS_EXPECTED}`);
  const trim = f.trim ?? DEFAULT_FEATURE_OPTIONS.trim;
  if (trim !== 'librosa' && trim !== 'none') fail(file, 'features.trim', `${JSON.stringify(trim)}: 'librosa' or 'none'`);
  const excerpt = f.excerpt ?? DEFAULT_FEATURE_OPTIONS.excerpt;
  if (excerpt !== 'full' && !(typeof excerpt === 'number' && excerpt > 0)) fail(file, 'features.excerpt', `${JSON.stringify(excerpt)}: a positive number of seconds or 'full'`);
  const keep = (f.keep ?? []) as string[];
  if (!Array.isArray(keep) || keep.some((x) => x !== 'stft' && x !== 'mel')) fail(file, 'features.keep', `${JSON.stringify(f.keep)}: a list of 'stft', 'mel'`);
  const sims = o.similarity ?? [{ method: 'cosine' }];
  if (!Array.isArray(sims)) fail(file, 'similarity', 'expected a list of {method, ...}');
  const similarity = (sims as Record<string, unknown>[]).map((s, i) => {
    if (!s || typeof s !== 'object') fail(file, `similarity[${i}]`, 'expected an object');
    for (const k of Object.keys(s)) if (!SIM_KEYS.has(k)) fail(file, `similarity[${i}].${k}`, `unknown key (allowed: ${[...SIM_KEYS].join(', ')})`);
    if (!isMethodName(s.method)) fail(file, `similarity[${i}].method`, `${JSON.stringify(s.method)}: one of ${METHODS.join(', ')}`);
    for (const k of ['pool', 'radius'] as const) {
      if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= (k === 'pool' ? 1 : 0))) fail(file, `similarity[${i}].${k}`, `${JSON.stringify(s[k])}: an integer`);
    }
    for (const k of ['band'] as const) {
      if (s[k] !== undefined && !(typeof s[k] === 'number' && (s[k] as number) >= 0 && (s[k] as number) <= 1)) fail(file, `similarity[${i}].${k}`, `${JSON.stringify(s[k])}: a number from 0 to 1`);
    }
    if (s.shortlist !== undefined && s.shortlist !== 'all' && !(Number.isInteger(s.shortlist) && (s.shortlist as number) >= 1)) {
      fail(file, `similarity[${i}].shortlist`, `${JSON.stringify(s.shortlist)}: an integer >= 1, or "all" for every pair`);
    }
    if (s.candidates !== undefined && s.candidates !== 'all' && !(Number.isSafeInteger(s.candidates) && (s.candidates as number) >= 1)) {
      fail(file, `similarity[${i}].candidates`, `${JSON.stringify(s.candidates)}: an integer >= 1, or "all" for every pair`);
    }
    if (s.weights !== undefined && !validWeights(s.weights)) fail(file, `similarity[${i}].weights`, `${JSON.stringify(s.weights)}: ${WEIGHTS_EXPECTED}`);
    for (const key of ['mp', 'deltas', 'supervector'] as const) if (s[key] !== undefined && typeof s[key] !== 'boolean') fail(file, `similarity[${i}].${key}`, `${JSON.stringify(s[key])}: true or false`);
    if (s.blockWeights !== undefined && !validBlockWeights(s.blockWeights)) fail(file, `similarity[${i}].blockWeights`, `${JSON.stringify(s.blockWeights)}: ${BLOCK_WEIGHTS_EXPECTED}`);
    if (s.blockNorm !== undefined && s.blockNorm !== 'dsn' && s.blockNorm !== 'zscore') fail(file, `similarity[${i}].blockNorm`, `${JSON.stringify(s.blockNorm)}: 'dsn' or 'zscore'`);
    if (s.standardize !== undefined && s.standardize !== 'zscore' && s.standardize !== 'none') fail(file, `similarity[${i}].standardize`, `${JSON.stringify(s.standardize)}: 'zscore' or 'none'`);
    return s as unknown as SimilarityParams;
  });
  const k = o.k ?? 50;
  if (!Number.isInteger(k) || (k as number) < 1) fail(file, 'k', `${JSON.stringify(o.k)}: a positive integer`);
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && (o.workers as number) >= 0)) fail(file, 'workers', `${JSON.stringify(o.workers)}: an integer >= 0`);
  if (o.downloader !== undefined && typeof o.downloader !== 'string') fail(file, 'downloader', 'expected a command template string');
  return {
    name: path.basename(file, '.json'),
    file,
    sources,
    features: { ...DEFAULT_FEATURE_OPTIONS, groups, trim, excerpt: excerpt as number | 'full', keep: keep as ('stft' | 'mel')[] },
    similarity,
    k: k as number,
    workers: o.workers as number | undefined,
    downloader: o.downloader as string | undefined,
    since: o.since as string | undefined,
    maxTracks: o.maxTracks as number | undefined,
    discover,
  };
}
