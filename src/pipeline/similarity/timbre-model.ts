/**
 * The timbre method's models (and hybrid's timbre part):
 *
 * - timbreModel: one Gaussian per track, log(1 + symmetrised KL divergence);
 * - supervectorModel: one GMM mean supervector per track (src/dsp/gmm.ts; the supervector feature group),
 *   cosine distance (1 - cosine, in [0, 2]);
 * - timbreMethodModel: the method as configured, the Gaussian's distances or (`supervector`) the
 *   mean of the two (each normalised by mutual proximity into [0, 1] first).
 *
 * hybrid's timbre part is timbreModel with mutual proximity (the method's default).
 *
 * Both parts go through mutualProximityModel: with mutual proximity every track's mean and spread
 * of its distances to all others are needed (n^2 distances; from a seeded sample for candidate
 * runs; or stored by the last similarity run over the same tracks, TrackStat).
 */
import type { Db } from '../../store/db.js';
import type { CatalogueMember } from './catalogue.js';
import type { TrackStat } from '../../store/similarity.js';
import { gaussianLength, mpDistance, mutualProximityStats, mutualProximityStatsOn, prepareGaussians, skl } from '../../similarity/gaussian.js';
import { sklMatrix } from '../../similarity/skl-matrix.js';
import { unitRows } from '../../similarity/cosine.js';
import { rowDots } from '../../similarity/f64-kernels.js';
import { cosineDistanceMatrix } from '../../similarity/cosine-matrix.js';
import { featureMap } from '../../store/features.js';
import { TIMBRE_GAUSS, TIMBRE_SV } from './defaults.js';
import { loadMatrix, sampleIndices, type FeatureCache, type ModelOptions, type VectorModel } from './vector-model.js';

/** The largest catalogue whose whole n^2 distance matrix is kept (float32: n^2 x 4 bytes). */
const FULL_MATRIX_MAX = 12_000;

/** Per-track mutual proximity statistics. */
type MpStats = Map<number, { mu: number; sd: number }>;

/** A raw distance between catalogue tracks, its whole matrix, and an outside track's distances. */
interface RawDistances {
  /** distance of tracks i and j, i != j */
  pair(i: number, j: number): number;
  /** the symmetric n x n matrix (diagonal 0), computed at once */
  matrix(): Float32Array;
  /** an outside track's distances to every track (raw: its stored inputs) */
  query(raw: Float32Array[]): Float64Array;
}

/**
 * A model over raw distances, normalised by mutual proximity when `mp` (statistics from `stored`
 * when it covers every entry, else from a seeded sample of options.mpSample tracks, else from
 * every pair: the whole matrix, kept when n <= FULL_MATRIX_MAX).
 */
export function mutualProximityModel(entries: readonly CatalogueMember[], d: RawDistances, mp: boolean, stored?: MpStats, options: ModelOptions = {}): VectorModel {
  const n = entries.length;
  const fromStore = !!stored && entries.every((e) => stored.has(e.trackId));
  const sample = mp && n > 2 && !fromStore && options.mpSample !== undefined && n - 1 > options.mpSample ? sampleIndices(n, options.mpSample) : null;
  // with mutual proximity every row is needed twice (statistics, then neighbours): the whole
  // symmetric matrix is computed once and kept
  const full = mp && n > 2 && n <= FULL_MATRIX_MAX && !fromStore && !sample ? d.matrix() : null;
  const raw = (i: number): Float64Array => {
    if (full) return Float64Array.from(full.subarray(i * n, (i + 1) * n));
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = j === i ? 0 : d.pair(i, j);
    return out;
  };
  const rawAt = (i: number, js: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(js.length);
    for (let p = 0; p < js.length; p++) {
      const j = js[p];
      out[p] = full ? full[i * n + j] : j === i ? 0 : d.pair(i, j);
    }
    return out;
  };
  const stats =
    mp && n > 2
      ? fromStore
        ? { mu: Float64Array.from(entries, (e) => stored!.get(e.trackId)!.mu), sd: Float64Array.from(entries, (e) => stored!.get(e.trackId)!.sd) }
        : sample
          ? mutualProximityStatsOn((i, j) => d.pair(i, j), n, sample)
          : mutualProximityStats(raw, n)
      : null;
  const normalise = (row: Float64Array, mu: number, sd: number, self: number): Float64Array =>
    stats ? row.map((v, j) => (j === self ? 0 : mpDistance(v, mu, sd, stats.mu[j], stats.sd[j]))) : row;
  return {
    n,
    orientation: 'distance',
    row: (i) => normalise(raw(i), stats?.mu[i] ?? 0, stats?.sd[i] ?? 1, i),
    pairs: (i, js) => {
      const r = rawAt(i, js);
      if (!stats) return r;
      return r.map((v, p) => (js[p] === i ? 0 : mpDistance(v, stats.mu[i], stats.sd[i], stats.mu[js[p]], stats.sd[js[p]])));
    },
    query: (rawInputs) => {
      const out = d.query(rawInputs);
      if (!stats) return out;
      // the outside track's own statistics come from its distances to the catalogue
      let s = 0;
      let s2 = 0;
      for (const v of out) {
        s += v;
        s2 += v * v;
      }
      const mu = n ? s / n : 0;
      const sd = Math.sqrt(Math.max(1e-12, n ? s2 / n - mu * mu : 1));
      return normalise(out, mu, sd, -1);
    },
    trackStats: () => new Map(stats ? entries.map((e, i) => [e.trackId, { mu: stats.mu[i], sd: stats.sd[i] }]) : []),
  };
}

/**
 * Single-Gaussian timbre models compared by symmetrised KL divergence (log(1 + SKL): the
 * divergences are heavy-tailed; on a log scale their spread per track is close to normal, which
 * mutual proximity's Gaussian assumption needs), normalised by mutual proximity (mp) into [0, 1].
 * `feature`: the stored Gaussians (TIMBRE_GAUSS: of the MFCCs and their deltas, the default;
 * 'timbre_gauss': of the MFCCs alone); the dimension is read from their length. Outside tracks
 * (query) give [their Gaussian].
 */
export function timbreModel(
  db: Db,
  entries: readonly CatalogueMember[],
  mp: boolean,
  cache?: FeatureCache,
  stored?: MpStats,
  options: ModelOptions = {},
  feature: string = TIMBRE_GAUSS,
): VectorModel {
  const all = featureMap(db, feature, cache);
  const models = entries.map((e) => all.get(e.trackId)!.data);
  let d = 1;
  if (models.length) while (gaussianLength(d) < models[0].length) d++;
  const g = prepareGaussians(models, d);
  const n = entries.length;
  return mutualProximityModel(
    entries,
    {
      pair: (i, j) => Math.log1p(skl(g, i, j)),
      matrix: () => sklMatrix(g, options.threads),
      query: (raw) => {
        const q = prepareGaussians([raw[0]], d);
        const out = new Float64Array(n);
        for (let j = 0; j < n; j++) out[j] = Math.log1p(skl(g, 0, j, q));
        return out;
      },
    },
    mp,
    stored,
    options,
  );
}

/**
 * GMM mean supervectors (stored as TIMBRE_SV) compared by cosine distance, 1 - cosine in [0, 2]
 * (a zero supervector has cosine 0 with every other), normalised by mutual proximity (mp) into
 * [0, 1]. Outside tracks (query) give [their supervector].
 */
export function supervectorModel(db: Db, entries: readonly CatalogueMember[], mp: boolean, cache?: FeatureCache, stored?: MpStats, options: ModelOptions = {}): VectorModel {
  const n = entries.length;
  const { data: x, dim } = loadMatrix(db, entries, TIMBRE_SV, cache);
  const u = unitRows(x, dim);
  // the products against an outside track: made on its first query (rowDots copies the rows;
  // the matrix makes its own)
  let dots: ReturnType<typeof rowDots> | null = null;
  const pair = (i: number, j: number) => {
    let s = 0;
    const a = i * dim;
    const b = j * dim;
    for (let k = 0; k < dim; k++) s += u[a + k] * u[b + k];
    return 1 - s;
  };
  return mutualProximityModel(
    entries,
    {
      pair,
      matrix: () => cosineDistanceMatrix(u, dim, options.threads),
      query: (raw) => {
        const q = unitRows(raw[0], dim);
        const out = new Float64Array(n);
        if (!n) return out;
        dots ??= rowDots(u, dim);
        const r = dots(q, 0, 0, n);
        for (let j = 0; j < n; j++) out[j] = 1 - r[j];
        return out;
      },
    },
    mp,
    stored,
    options,
  );
}

/** What the timbre method compares (its normalised parameters). */
export interface TimbreParts {
  /** the stored Gaussians (TIMBRE_GAUSS or 'timbre_gauss') */
  feature: string;
  /** normalise by mutual proximity */
  mp: boolean;
  /** average the Gaussian's distances with the supervector's (timbre --supervector) */
  supervector: boolean;
}

/**
 * The timbre method's model: the Gaussian's distances, or (supervector) the mean of the Gaussian's
 * and the supervector's, each normalised by mutual proximity when `mp`. Outside tracks give
 * [Gaussian] or [Gaussian, supervector]. Stored statistics: the Gaussian's as TrackStat mu and sd,
 * the supervector's as its parts ([mu, sd]).
 */
export function timbreMethodModel(
  db: Db,
  entries: readonly CatalogueMember[],
  p: TimbreParts,
  cache?: FeatureCache,
  stored?: Map<number, TrackStat>,
  options: ModelOptions = {},
): VectorModel {
  const g = timbreModel(db, entries, p.mp, cache, stored, options, p.feature);
  if (!p.supervector) return g;
  const svStored = stored && new Map([...stored].filter(([, s]) => (s.parts?.length ?? 0) >= 2).map(([id, s]) => [id, { mu: s.parts![0], sd: s.parts![1] }]));
  const s = supervectorModel(db, entries, p.mp, cache, svStored, options);
  const mean = (a: Float64Array, b: Float64Array) => a.map((v, j) => 0.5 * (v + b[j]));
  return {
    n: g.n,
    orientation: 'distance',
    row: (i) => mean(g.row(i), s.row(i)),
    pairs: (i, js) => mean(g.pairs(i, js), s.pairs(i, js)),
    query: (raw) => mean(g.query([raw[0]]), s.query([raw[1]])),
    trackStats: () => {
      const gs = g.trackStats!();
      const ss = s.trackStats!();
      return new Map([...gs].map(([id, v]) => [id, { mu: v.mu, sd: v.sd, parts: [ss.get(id)!.mu, ss.get(id)!.sd] }]));
    },
  };
}
