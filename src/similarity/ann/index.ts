/**
 * Approximate nearest-neighbour (ANN) indexes over unit vectors, where the inner product is the
 * cosine: the candidate stage of `yasr similarity --candidates C` (each track's exact score is then
 * computed on its top-C candidates only). The interface first, one file per implementation
 * (kysely's dialect/ folder):
 * - `usearch` (./usearch.ts): HNSW graphs from the `usearch` npm package (an optional
 *   dependency: prebuilt binaries inside its tarball, nothing downloaded at install time);
 * - `ivf` (./ivf.ts): an inverted file of flat lists (IVF-flat) in plain TypeScript, the fallback
 *   wherever usearch does not load.
 * Which one: the `backend` argument, else YASR_ANN_BACKEND (usearch | ivf | auto), else `auto`:
 * the first of {@link AUTO_ORDER} that loads.
 *
 * Keys are non-negative safe integers (track ids). Scores are inner products (float32 arithmetic
 * inside the index): they only pick candidates, the caller re-scores them exactly.
 */
import { badParameter, YasrError } from '../../errors.js';
import { loadIvf } from './ivf.js';
import { loadUsearch } from './usearch.js';

export { checkItems, checkSearch } from './checks.js';

/** Each query's k best: keys (-1 where fewer were found) and inner products, best first. */
export interface AnnMatches {
  k: number;
  /** queries * k keys, row-major; -1 pads a row with fewer than k matches. */
  keys: Float64Array;
  /** queries * k inner products (NaN where the key is -1). */
  scores: Float32Array;
}

/** One index: a set of (key, unit vector) items. */
export interface AnnIndex {
  readonly backend: AnnBackendName;
  readonly dim: number;
  /** Items held. */
  size(): number;
  has(key: number): boolean;
  /** Add items (keys not already held; vectors: keys.length * dim values, unit length). */
  add(keys: ArrayLike<number>, vectors: Float32Array): void;
  /** Remove the keys held (others are ignored); returns how many were removed. */
  remove(keys: ArrayLike<number>): number;
  /** The k items of highest inner product with each query (queries: a multiple of dim values). */
  search(queries: Float32Array, k: number): AnnMatches;
  /** Write the index to `file` (overwritten). */
  save(file: string): void;
}

/** Tuning of an index; each backend reads its own and ignores the rest. */
export interface AnnOptions {
  /** usearch: graph edges per node (HNSW M, default 16). */
  connectivity?: number;
  /** usearch: candidates kept while inserting (efConstruction, default 128). */
  expansionAdd?: number;
  /** usearch: candidates kept while searching (ef; raised to k when smaller; default 128). */
  expansionSearch?: number;
  /** usearch: threads for add and search (default 1: a graph built on one thread is the same every time). */
  threads?: number;
  /** ivf: lists probed per query (default: max(8, lists / 4)). */
  nprobe?: number;
  /** ivf: seed of the k-means that makes the lists (default 1). */
  seed?: number;
}

/** A way to make and load indexes. */
export interface AnnBackend {
  readonly name: AnnBackendName;
  readonly description: string;
  /** An empty index of `dim`-value vectors. */
  create(dim: number, options?: AnnOptions): AnnIndex;
  /** An index written by `save` (throws if the file is missing, unreadable or not `dim`). */
  load(file: string, dim: number, options?: AnnOptions): AnnIndex;
}

export const ANN_BACKEND_NAMES = ['usearch', 'ivf'] as const;
export type AnnBackendName = (typeof ANN_BACKEND_NAMES)[number];

/** `auto` takes the first of these that loads: usearch's HNSW is much faster to query and build. */
export const AUTO_ORDER: readonly AnnBackendName[] = ['usearch', 'ivf'];

const LOADERS: Record<AnnBackendName, () => AnnBackend> = { usearch: loadUsearch, ivf: loadIvf };
const slots = new Map<AnnBackendName, { backend?: AnnBackend; reason?: string }>();

function tryLoad(name: AnnBackendName): { backend?: AnnBackend; reason?: string } {
  let s = slots.get(name);
  if (!s) {
    try {
      s = { backend: LOADERS[name]() };
    } catch (err) {
      s = { reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    }
    slots.set(name, s);
  }
  return s;
}

/** Whether each backend loads here, and why not. */
export function annBackendStatus(): { name: AnnBackendName; loaded: boolean; description?: string; reason?: string }[] {
  return ANN_BACKEND_NAMES.map((name) => {
    const s = tryLoad(name);
    return s.backend ? { name, loaded: true, description: s.backend.description } : { name, loaded: false, reason: s.reason };
  });
}

/** The backend named, or the one YASR_ANN_BACKEND or `auto` chooses (see the module doc). */
export function annBackend(name?: string): AnnBackend {
  const env = process.env.YASR_ANN_BACKEND;
  const raw = (name ?? (env && env.trim() !== '' ? env : 'auto')).trim().toLowerCase();
  const source = name !== undefined ? 'ANN backend' : 'YASR_ANN_BACKEND';
  if (raw === 'auto') {
    for (const n of AUTO_ORDER) {
      const s = tryLoad(n);
      if (s.backend) return s.backend;
    }
    throw new YasrError('INTERNAL', `no ANN backend loads: ${ANN_BACKEND_NAMES.map((n) => `${n}: ${tryLoad(n).reason}`).join('; ')}`);
  }
  if (!(ANN_BACKEND_NAMES as readonly string[]).includes(raw)) throw badParameter(source, raw, `one of ${ANN_BACKEND_NAMES.join(', ')} or auto`);
  const s = tryLoad(raw as AnnBackendName);
  if (!s.backend) throw new YasrError('BAD_PARAMETER', `${source} "${raw}" does not load here: ${s.reason}`, { name: source, value: raw });
  return s.backend;
}

/** An index holding `keys` with their `vectors` (keys.length * dim values, unit length). */
export function buildAnnIndex(backend: AnnBackend, dim: number, keys: ArrayLike<number>, vectors: Float32Array, options?: AnnOptions): AnnIndex {
  const index = backend.create(dim, options);
  if (keys.length) index.add(keys, vectors);
  return index;
}
