import type { Db } from '../../store/db.js';
import { YasrError } from '../../errors.js';
import { fitStandardizer, applyStandardizer, unitRows as unitRowsOf, windowMatchScores, type Standardizer } from '../../similarity/cosine.js';
import { distancesF64, dotsF64 } from '../../similarity/f64-kernels.js';
import { windowScore } from '../../similarity/exact-topk.js';
import type { CatalogueMember } from './catalogue.js';
import { seededRandom } from '../../util/random.js';
import { featureMap, type FeatureRowData } from '../../store/features.js';
import type { TrackStat } from '../../store/similarity.js';
import { DESCRIPTOR_VIEW, viewRows, type SpaceView } from './descriptor-view.js';
import { blocksModel } from './blocks-model.js';
import { BLOCKS_DEFAULTS, normalizeBlockWeights } from './defaults.js';
import { timbreModel } from './timbre-model.js';

/** Feature maps loaded once per operation (see featureMap). */
export type FeatureCache = Map<string, Map<number, FeatureRowData>>;

/**
 * A method that compares one vector per track (cosine, features, hybrid). It scores a whole row
 * at once, so top-k lists and on-the-fly recommendations cost O(n * dim) per track.
 */
export interface VectorModel {
  n: number;
  orientation: 'similarity' | 'distance';
  /** Scores of item i against every item (length n). */
  row(i: number): Float64Array;
  /**
   * row(i)[j] for the listed j only (same arithmetic, so the same values): the exact re-ranking of
   * candidates (src/pipeline/similarity/candidates.ts) at |js| pairs' cost.
   */
  pairs(i: number, js: ArrayLike<number>): Float64Array;
  /** Scores of an outside vector (raw, as stored) against every item. */
  query(raw: Float32Array[]): Float64Array;
  /** Per-track statistics worth storing (timbre: mutual proximity's mean and std; blocks: per pattern). */
  trackStats?(): Map<number, TrackStat>;
}

/** One stored vector per entry, row-major (every one of the first's length, else a STORE error naming the track). */
export function loadMatrix(db: Db, entries: readonly CatalogueMember[], feature: string, cache?: FeatureCache): { data: Float64Array; dim: number } {
  if (entries.length === 0) return { data: new Float64Array(0), dim: 0 };
  const all = featureMap(db, feature, cache);
  const dim = all.get(entries[0].trackId)!.data.length;
  const data = new Float64Array(entries.length * dim);
  entries.forEach((e, i) => {
    const v = all.get(e.trackId)!.data;
    if (v.length !== dim) {
      throw new YasrError('STORE', `track #${e.trackId}: ${feature} has ${v.length} values, others ${dim}; run yasr features again`);
    }
    data.set(v, i * dim);
  });
  return { data, dim };
}

/** Unit-length rows (a zero row stays zero: its cosine with anything is 0). */
function unitRows(x: Float64Array, dim: number): Float64Array {
  if (dim <= 0) {
    if (x.length === 0) return new Float64Array(0);
    throw new YasrError('STORE', `vectors of ${x.length} values with no dimension: run yasr features again`);
  }
  return unitRowsOf(x, dim);
}

/**
 * A catalogue's vectors as a method compares them: each stored vector through a view (when the
 * method has one: ./descriptor-view.ts), z-scored over the catalogue (st, when standardising
 * more than one track), then scaled to unit length (unit); `transform` does the same to an
 * outside vector (raw, as stored). `dim` is the compared length.
 */
export interface Space {
  data: Float64Array;
  dim: number;
  st: Standardizer | null;
  unit: boolean;
  transform(raw: Float32Array): Float64Array;
}

/** The space of n raw vectors (n * dim values, as loadMatrix reads them), through `view` when given. */
export function spaceOf(data: Float64Array, dim: number, n: number, standardize: boolean, unit: boolean, view?: SpaceView): Space {
  const v = view ? viewRows(view, data, dim, n) : { data, dim };
  const st = standardize && n > 1 ? fitStandardizer(v.data, v.dim) : null;
  const z = st ? applyStandardizer(v.data, v.dim, st) : v.data;
  return storedSpace(unit ? unitRows(z, v.dim) : z, v.dim, st, unit, view);
}

/** A space whose vectors are already transformed (kept from spaceOf: ./packs.ts); `dim` is the compared length. */
export function storedSpace(data: Float64Array, dim: number, st: Standardizer | null, unit: boolean, view?: SpaceView): Space {
  return {
    data,
    dim,
    st,
    unit,
    transform(raw) {
      const seen = view ? viewRows(view, raw, raw.length, 1).data : Float64Array.from(raw);
      const one = st ? applyStandardizer(seen, dim, st) : seen;
      return unit ? unitRows(one, dim) : one;
    },
  };
}

function space(db: Db, entries: readonly CatalogueMember[], feature: string, standardize: boolean, unit: boolean, cache?: FeatureCache, view?: SpaceView): Space {
  const { data, dim } = loadMatrix(db, entries, feature, cache);
  return spaceOf(data, dim, entries.length, standardize, unit, view);
}

/** q . each row of the space (in WebAssembly: src/similarity/f64-kernels.ts, the same arithmetic). */
function dots(s: Space, q: Float64Array): Float64Array {
  const { data, dim } = s;
  if (dim > 0 && data.length > 0) return dotsF64(q, data, dim);
  return new Float64Array(data.length / dim);
}

/** The Euclidean distance of q to each row of the space, times `scale` (as dots). */
function euclid(s: Space, q: Float64Array, scale: number): Float64Array {
  const { data, dim } = s;
  if (dim > 0 && data.length > 0) return distancesF64(q, data, dim, scale);
  return new Float64Array(data.length / dim);
}

function rowOf(s: Space, i: number): Float64Array {
  return s.data.subarray(i * s.dim, (i + 1) * s.dim);
}

/**
 * The rows the cosine model scores with: each entry's `vector`, z-scored across the entries when
 * `standardize` (and there are at least two), at unit length (n * dim values, float64).
 */
export function cosineRows(db: Db, entries: readonly CatalogueMember[], vector: string, standardize: boolean, cache?: FeatureCache): { rows: Float64Array; dim: number } {
  const s = space(db, entries, vector, standardize, true, cache);
  return { rows: s.data, dim: s.dim };
}

export function cosineModel(db: Db, entries: readonly CatalogueMember[], vector: string, standardize: boolean, cache?: FeatureCache, windows?: string): VectorModel {
  if (windows && windows !== 'none') return windowedCosineModel(db, entries, vector, windows, standardize, cache);
  return cosineOfSpace(space(db, entries, vector, standardize, true, cache), entries.length);
}

/** Cosine similarity in a unit-length space (cosineModel without windows). */
export function cosineOfSpace(s: Space, n: number): VectorModel {
  return {
    n,
    orientation: 'similarity',
    row: (i) => dots(s, rowOf(s, i)),
    pairs: (i, js) => dotsAt(s, rowOf(s, i), js),
    query: (raw) => dots(s, s.transform(raw[0])),
  };
}

/** The windowed cosine model's data: unit summary rows C, unit window rows W, track i's windows from start[i] to start[i+1]. */
export interface WindowedRows {
  n: number;
  dim: number;
  C: Float64Array;
  W: Float64Array;
  start: Int32Array;
  /** Raw vectors to the same space (standardised with the catalogue's fit, unit length). */
  prep(x: Float64Array): Float64Array;
}

/** Summaries and windows of the entries, z-scored together (when `standardize`), at unit length. */
export function windowedRows(db: Db, entries: readonly CatalogueMember[], vector: string, windows: string, standardize: boolean, cache?: FeatureCache): WindowedRows {
  const n = entries.length;
  const c = loadMatrix(db, entries, vector, cache);
  const dim = c.dim;
  const all = featureMap(db, windows, cache);
  const start = new Int32Array(n + 1);
  entries.forEach((e, i) => {
    const w = all.get(e.trackId)!;
    if (w.cols !== dim) throw new YasrError('STORE', `track #${e.trackId}: ${windows} has ${w.cols} values per window, ${vector} ${dim}; run yasr features again`);
    start[i + 1] = start[i] + w.rows;
  });
  const wRaw = new Float64Array(start[n] * dim);
  entries.forEach((e, i) => wRaw.set(all.get(e.trackId)!.data, start[i] * dim));
  const both = new Float64Array(c.data.length + wRaw.length);
  both.set(c.data);
  both.set(wRaw, c.data.length);
  const st = standardize && n > 1 ? fitStandardizer(both, dim) : null;
  const prep = (x: Float64Array) => unitRows(st ? applyStandardizer(x, dim, st) : x, dim);
  return { n, dim, C: prep(c.data), W: prep(wRaw), start, prep };
}

/**
 * Cosine with windows: every track has its summary vector c (of the analysed central excerpt)
 * and a set of window vectors W (the same summary over windows along the whole track, e.g.
 * `timbre_windows`); sim(i, j) = max(max over w in W_j of cos(c_i, w), max over w in W_i of
 * cos(w, c_j)): the best match of either track's excerpt anywhere in the other. A 30 s preview
 * (one window: itself) thus meets the part of its full track it was cut from. Z-scores are
 * fitted on all summary and window vectors together. O((W_i + W_j) * dim) per pair.
 */
function windowedCosineModel(db: Db, entries: readonly CatalogueMember[], vector: string, windows: string, standardize: boolean, cache?: FeatureCache): VectorModel {
  const { n, dim, C, W, start, prep } = windowedRows(db, entries, vector, windows, standardize, cache);
  const owner = new Int32Array(start[n]);
  for (let i = 0; i < n; i++) owner.fill(i, start[i], start[i + 1]);
  const score = (q: Float64Array, qw: Float64Array) => windowMatchScores(q, qw, C, W, owner, dim);
  return {
    n,
    orientation: 'similarity',
    row: (i) => score(C.subarray(i * dim, (i + 1) * dim), W.subarray(start[i] * dim, start[i + 1] * dim)),
    // windowMatchScores's arithmetic for the listed j only: the max of the same products
    pairs: (i, js) => Float64Array.from(js, (j) => windowScore(C, W, start, dim, i, j)),
    // raw[0]: the outside track's summary; raw[1] (optional): its windows, flattened
    query: (raw) => {
      const q = prep(Float64Array.from(raw[0]));
      const qw = raw[1] && raw[1].length % dim === 0 && raw[1].length > 0 ? prep(Float64Array.from(raw[1])) : q;
      return score(q, qw);
    },
  };
}

/** How a model is built for candidates (src/pipeline/similarity/candidates.ts). */
export interface ModelOptions {
  /**
   * timbre (and hybrid's timbre part) with mutual proximity: estimate each track's statistics on
   * this many sampled tracks instead of all n - 1 others, when there are more (seeded, so the same
   * catalogue gives the same sample).
   */
  mpSample?: number;
  /** Threads (this one included) for timbre's n^2 divergences with mutual proximity (src/similarity/skl-matrix.ts) and blocks' n^2 distances (src/similarity/l1-triangle.ts). */
  threads?: number;
  /** blocks: the fewest tracks whose n^2 distances use threads (default L1_THREADS_FROM; tests lower it). */
  threadsFrom?: number;
  /** blocks (and hybrid's blocks part): the L1 kernel, 'js' to force JavaScript (the same values; src/similarity/l1-kernel.ts). */
  kernel?: 'auto' | 'js';
}

/** `size` distinct indices of [0, n), ascending: a seeded sample (partial Fisher-Yates). */
export function sampleIndices(n: number, size: number, seed = 1): Int32Array {
  const rand = seededRandom(seed);
  const a = Int32Array.from({ length: n }, (_, i) => i);
  const m = Math.min(n, size);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, m).sort();
}

/** Scores of `q` against the listed rows of `s` (dots/euclid of those rows only). */
function dotsAt(s: Space, q: Float64Array, js: ArrayLike<number>): Float64Array {
  const out = new Float64Array(js.length);
  for (let p = 0; p < js.length; p++) {
    let acc = 0;
    const o = js[p] * s.dim;
    for (let k = 0; k < s.dim; k++) acc += q[k] * s.data[o + k];
    out[p] = acc;
  }
  return out;
}

function euclidAt(s: Space, q: Float64Array, js: ArrayLike<number>): Float64Array {
  const out = new Float64Array(js.length);
  for (let p = 0; p < js.length; p++) {
    let acc = 0;
    const o = js[p] * s.dim;
    for (let k = 0; k < s.dim; k++) acc += (q[k] - s.data[o + k]) ** 2;
    out[p] = Math.sqrt(acc);
  }
  return out;
}

/**
 * Euclidean distance between standardised descriptor vectors as compared (DESCRIPTOR_VIEW in
 * ./descriptor-view.ts: no level descriptors, tempo on a circle of octaves, mode weighted by the
 * key's confidence), divided by sqrt(the number compared).
 */
export function featuresModel(db: Db, entries: readonly CatalogueMember[], standardize: boolean, cache?: FeatureCache): VectorModel {
  return featuresOfSpace(space(db, entries, 'descriptors', standardize, false, cache, DESCRIPTOR_VIEW), entries.length);
}

/** featuresModel's distances in a space of compared descriptor vectors. */
export function featuresOfSpace(s: Space, n: number): VectorModel {
  const scale = 1 / Math.sqrt(Math.max(1, s.dim));
  return {
    n,
    orientation: 'distance',
    row: (i) => euclid(s, rowOf(s, i), scale),
    pairs: (i, js) => {
      const d = euclidAt(s, rowOf(s, i), js);
      for (let p = 0; p < d.length; p++) d[p] *= scale;
      return d;
    },
    query: (raw) => euclid(s, s.transform(raw[1] ?? raw[0]), scale),
  };
}

/**
 * The hybrid formula on rows or matrices (element by element; the result has cosine's type):
 * w[0] * timbre + w[1] * (1 - cosine) / 2 + w[2] * features + w[3] * blocks. `blocks` may be
 * left out when w[3] is 0 (absent, or a three-part weighting).
 */
export function mixHybrid<A extends Float32Array | Float64Array>(w: readonly number[], timbre: ArrayLike<number>, cosine: A, features: ArrayLike<number>, blocks?: ArrayLike<number>): A {
  const out = cosine.slice() as A;
  const wb = w[3] ?? 0;
  if (wb > 0 && !blocks) throw new YasrError('BAD_PARAMETER', `hybrid weights ${JSON.stringify(w)} give blocks ${wb} but no blocks distances were given`);
  for (let j = 0; j < out.length; j++) {
    const v = w[0] * timbre[j] + (w[1] * (1 - cosine[j])) / 2 + w[2] * features[j];
    out[j] = wb > 0 ? v + wb * blocks![j] : v;
  }
  return out;
}

/**
 * Hybrid distance: w[0] * timbre (Gaussian, mutual proximity, 0..1) + w[1] * (1 - cosine of the
 * standardised summary vectors) / 2 (0..1) + w[2] * the features distance (about 0..1) + w[3] *
 * the blocks distance (equal pattern weights, distance space normalisation, 0..1; built only when
 * w[3] > 0). `stored`: the per-track statistics of an earlier run over the same tracks (mu and sd:
 * timbre's mutual proximity; parts: the blocks part's per-pattern mean and spread), which spare
 * both parts' n^2 passes; trackStats gives them in that form.
 */
export function hybridModel(
  db: Db,
  entries: readonly CatalogueMember[],
  vector: string,
  standardize: boolean,
  w: readonly number[],
  cache?: FeatureCache,
  stored?: Map<number, TrackStat>,
  options: ModelOptions = {},
): VectorModel {
  const c = cosineModel(db, entries, vector, standardize, cache);
  const f = featuresModel(db, entries, standardize, cache);
  const t = timbreModel(db, entries, true, cache, stored, options);
  const b = (w[3] ?? 0) > 0 ? blocksModel(db, entries, normalizeBlockWeights(BLOCKS_DEFAULTS.weights), BLOCKS_DEFAULTS.norm, cache, stored, options) : null;
  return {
    n: entries.length,
    orientation: 'distance',
    row: (i) => mixHybrid(w, t.row(i), c.row(i), f.row(i), b?.row(i)),
    pairs: (i, js) => mixHybrid(w, t.pairs(i, js), c.pairs(i, js), f.pairs(i, js), b?.pairs(i, js)),
    // raw: the summary vector, the descriptors, the Gaussian and (with a blocks part) the block patterns
    query: (raw) => mixHybrid(w, t.query([raw[2]]), c.query([raw[0]]), f.query([raw[1]]), b?.query([raw[3]])),
    trackStats: () => {
      const ts = t.trackStats!();
      if (!b) return ts;
      const bs = b.trackStats!();
      return new Map([...ts].map(([id, s]) => [id, { mu: s.mu, sd: s.sd, parts: bs.get(id)!.parts }]));
    },
  };
}

/**
 * Indices of the k best entries of `scores` (best first; ties by smaller index), skipping
 * excluded and non-finite ones. O(n * k) worst case, O(n) typical.
 */
export function bestK(scores: ArrayLike<number>, k: number, orientation: 'similarity' | 'distance', exclude: (j: number) => boolean): number[] {
  const sign = orientation === 'similarity' ? -1 : 1;
  const keys: number[] = [];
  const idx: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    const v = scores[j];
    if (!Number.isFinite(v) || exclude(j)) continue;
    const key = sign * v;
    if (idx.length === k && key >= keys[k - 1]) continue;
    let p = idx.length === k ? k - 1 : idx.length;
    if (idx.length < k) {
      keys.push(0);
      idx.push(0);
    }
    while (p > 0 && keys[p - 1] > key) {
      keys[p] = keys[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    keys[p] = key;
    idx[p] = j;
  }
  return idx;
}
