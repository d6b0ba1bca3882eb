/**
 * The blocks method's model: block-level similarity (Seyerlehner, Widmer & Pohle 2010). Every
 * track stores its block-level patterns as one vector (`block_patterns`, src/dsp/block-level.ts).
 * For each pattern p (SP, DSP, VDSP, LFP, CP, SCP) the distance of two tracks is the Manhattan
 * (L1) distance of their pattern vectors; each pattern's distances are normalised, then summed
 * with weights:
 *
 * - 'dsn' (the published distance space normalisation, src/similarity/dsn.ts): d_p(i, j) is
 *   z-scored by the mean and standard deviation of track i's distances to every other track,
 *   and by track j's, and the two z-scores averaged;
 * - 'zscore' (the simpler alternative): d_p(i, j) z-scored by the mean and standard deviation of
 *   all of pattern p's distances between distinct tracks.
 *
 * The weighted mean z = sum_p w_p z_p / sum_p w_p is reported as the distance 1 / (1 + e^-z), a
 * monotone map (rankings are those of z) into (0, 1), like timbre's distances, and never negative
 * (`yasr path` squares distances). A track against itself scores 0.
 *
 * Building the model costs every pair's distances once (n^2 / 2 pairs, about 3,000 values each),
 * for the per-track statistics; they are kept (float32, per weighted pattern) up to
 * PAIR_CACHE_BYTES, else rows are computed again when asked for. With candidates
 * (ModelOptions.mpSample, as timbre's mutual proximity) each track's statistics are estimated
 * on a seeded sample of that many tracks instead (n x sample pairs), and `pairs` computes the
 * listed pairs only. `yasr similarity` stores the statistics (per pattern, TrackStat.parts), so
 * an outside query (recommend --file) costs only its n distances.
 */
import type { Db } from '../../store/db.js';
import { YasrError } from '../../errors.js';
import { featureMap } from '../../store/features.js';
import type { TrackStat } from '../../store/similarity.js';
import { blockPatternLayout } from '../../dsp/block-layout.js';
import { meanSd, safeSd } from '../../similarity/dsn.js';
import { l1Space } from '../../similarity/l1-kernel.js';
import { l1Triangle } from '../../similarity/l1-triangle.js';
import type { CatalogueMember } from './catalogue.js';
import { sampleIndices, type FeatureCache, type ModelOptions, type VectorModel } from './vector-model.js';

export type BlocksNorm = 'dsn' | 'zscore';

/** Pair distances kept in memory up to this size (else rows are recomputed, twice the pairs again): 5,000 tracks with six patterns take 300 MB. */
const PAIR_CACHE_BYTES = 512 * 1024 * 1024;
/** row() reads the pair cache's columns for this many rows at once. */
const GATHER = 16;

/**
 * The blocks model over `entries`. `weights`: one per pattern (BLOCK_PATTERN_NAMES order), >= 0,
 * not all 0 (patterns of weight 0 are not compared). `stored`: per-track statistics of an earlier
 * run over the same tracks (TrackStat.parts = [mu, sd] of every pattern), which spare the n^2 pass.
 * `options.mpSample`: estimate them on a seeded sample of that many tracks when there are more
 * others (candidate runs).
 */
export function blocksModel(
  db: Db,
  entries: readonly CatalogueMember[],
  weights: readonly number[],
  norm: BlocksNorm,
  cache?: FeatureCache,
  stored?: Map<number, TrackStat>,
  options: ModelOptions = {},
): VectorModel {
  const layout = blockPatternLayout();
  const D = layout.reduce((s, p) => s + p.length, 0);
  const nP = layout.length;
  const n = entries.length;
  const all = featureMap(db, 'block_patterns', cache);
  // the patterns, in the L1 kernel's memory (src/similarity/l1-kernel.ts: l1's values)
  const space = l1Space(n, D, { kernel: options.kernel });
  const X = space.X;
  entries.forEach((e, i) => {
    const v = all.get(e.trackId)!.data;
    if (v.length !== D) throw new YasrError('STORE', `track #${e.trackId}: block_patterns has ${v.length} values, this yasr expects ${D}; run yasr features again`);
    X.set(v, i * D);
  });
  const wSum = weights.reduce((a, w) => a + w, 0);
  const active = layout.map((_, p) => p).filter((p) => weights[p] > 0);
  // slot[p]: where pattern p's pair distances are kept (-1: not compared)
  const slot = layout.map((_, p) => active.indexOf(p));
  const pair = (p: number, i: number, j: number) => space.pair(i, j, layout[p].offset, layout[p].length);
  const buf = new Float64Array(n);
  /** buf[r] = pattern p's distance of row i (or an outside vector q) to row j0 + r, r < count */
  const fromRow = (p: number, i: number, j0: number, count: number) => space.fromRow(i, layout[p].offset, layout[p].length, j0, count, buf);
  const fromVector = (p: number, q: Float32Array) => space.fromVector(q, layout[p].offset, layout[p].length, 0, n, buf);

  // per-track statistics of every pattern's distances: mu[p * n + i], sd[p * n + i]
  const mu = new Float64Array(nP * n);
  const sd = new Float64Array(nP * n);
  const fromStore = !!stored && n > 0 && entries.every((e) => stored.get(e.trackId)?.parts?.length === 2 * nP);
  const sample = !fromStore && n > 2 && options.mpSample !== undefined && n - 1 > options.mpSample ? sampleIndices(n, options.mpSample) : null;
  const pairs = (n * (n - 1)) / 2;
  const pairCache = !fromStore && !sample && pairs * active.length * 4 <= PAIR_CACHE_BYTES ? active.map(() => new Float32Array(pairs)) : null;
  // index of pair (i, j), i < j, in the upper triangle, row by row
  const pairIndex = (i: number, j: number) => i * n - (i * (i + 1)) / 2 + (j - i - 1);
  if (fromStore) {
    entries.forEach((e, i) => {
      const parts = stored!.get(e.trackId)!.parts!;
      for (let p = 0; p < nP; p++) {
        mu[p * n + i] = parts[2 * p];
        sd[p * n + i] = parts[2 * p + 1];
      }
    });
  } else if (sample) {
    // each track's distances to the sampled tracks (itself left out)
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < nP; p++) {
        let s = 0;
        let s2 = 0;
        let m = 0;
        for (const j of sample) {
          if (j === i) continue;
          const d = pair(p, i, j);
          s += d;
          s2 += d * d;
          m++;
        }
        const r = meanSd(m, s, s2);
        mu[p * n + i] = r.mu;
        sd[p * n + i] = r.sd;
      }
    }
  } else {
    const s = new Float64Array(nP * n);
    const s2 = new Float64Array(nP * n);
    // every pair's distances, band by band (on options.threads threads); each accumulator adds
    // its terms in the order of the pair loop (i, then j > i), whatever the threads
    l1Triangle(space, n, D, layout, (i0, i1, band) => {
      for (let i = i0; i < i1; i++) {
        for (let p = 0; p < nP; p++) {
          const at = ((i - i0) * nP + p) * n;
          const c = pairCache && slot[p] >= 0 ? pairCache[slot[p]] : null;
          const q0 = pairIndex(i, i + 1);
          for (let j = i + 1; j < n; j++) {
            const v = band[at + j];
            s[p * n + i] += v;
            s[p * n + j] += v;
            s2[p * n + i] += v * v;
            s2[p * n + j] += v * v;
            if (c) c[q0 + j - i - 1] = v;
          }
        }
      }
    }, { threads: options.threads, threadsFrom: options.threadsFrom });
    for (let k = 0; k < nP * n; k++) {
      const r = meanSd(n - 1, s[k], s2[k]);
      mu[k] = r.mu;
      sd[k] = r.sd;
    }
  }
  // 'zscore': each pattern's mean and spread over all distinct pairs, from the per-track ones
  const gMu = new Float64Array(nP);
  const gSd = new Float64Array(nP);
  for (let p = 0; p < nP; p++) {
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      m += mu[p * n + i];
      m2 += sd[p * n + i] ** 2 + mu[p * n + i] ** 2;
    }
    gMu[p] = n ? m / n : 0;
    gSd[p] = n ? Math.sqrt(Math.max(0, m2 / n - gMu[p] ** 2)) : 0;
  }

  /** z_p of distance d between a track with statistics (muA, sdA) and catalogue track j. */
  const z = (p: number, d: number, muA: number, sdA: number, j: number) =>
    norm === 'dsn' ? ((d - muA) / safeSd(sdA) + (d - mu[p * n + j]) / safeSd(sd[p * n + j])) / 2 : (d - gMu[p]) / safeSd(gSd[p]);

  // row(i) in tight loops: each pattern's distances of i gathered into one array first (from the
  // pair cache: the column above the diagonal, then the row after it), each track's safeSd once;
  // the arithmetic of z, term by term, so the same values as z and pairs
  const safeSds = norm === 'dsn' ? sd.map(safeSd) : null;
  const rowD = new Float64Array(n);
  // the columns above the diagonal of GATHER rows at a time: pairs (j, r), r = g0 .. g0 + GATHER - 1,
  // lie side by side in the pair cache (one read of each j's stretch instead of one per row)
  const col = pairCache ? new Float32Array(active.length * GATHER * n) : null;
  let g0 = -Infinity;
  const gather = (i: number) => {
    g0 = i - (i % GATHER);
    const g1 = Math.min(n, g0 + GATHER);
    for (let a = 0; a < active.length; a++) {
      const c = pairCache![a];
      const base = a * GATHER * n - g0 * n;
      for (let j = 0; j < g1 - 1; j++) {
        const r0 = Math.max(g0, j + 1);
        for (let r = r0, q = pairIndex(j, r0); r < g1; r++, q++) col![base + r * n + j] = c[q];
      }
    }
  };
  const row = (i: number): Float64Array => {
    const out = new Float64Array(n);
    if (col && (i < g0 || i >= g0 + GATHER)) gather(i);
    for (const p of active) {
      const c = pairCache?.[slot[p]];
      let d: Float64Array | Float32Array;
      if (c) {
        // pairIndex(i, j) for j > i moves on by 1
        const at = slot[p] * GATHER * n + (i - g0) * n;
        for (let j = 0; j < i; j++) rowD[j] = col![at + j];
        for (let j = i + 1, q = i + 1 < n ? pairIndex(i, i + 1) : 0; j < n; j++, q++) rowD[j] = c[q];
        d = rowD;
      } else {
        d = fromRow(p, i, 0, n);
      }
      const w = weights[p] / wSum;
      const o = p * n;
      if (safeSds) {
        const muA = mu[o + i];
        const sA = safeSd(sd[o + i]);
        for (let j = 0; j < n; j++) if (j !== i) out[j] += w * (((d[j] - muA) / sA + (d[j] - mu[o + j]) / safeSds[o + j]) / 2);
      } else {
        const g = gMu[p];
        const sG = safeSd(gSd[p]);
        for (let j = 0; j < n; j++) if (j !== i) out[j] += w * ((d[j] - g) / sG);
      }
    }
    for (let j = 0; j < n; j++) out[j] = j === i ? 0 : squash(out[j]);
    return out;
  };

  return {
    n,
    orientation: 'distance',
    row,
    // row(i)[j] for the listed j only (the same arithmetic, so the same values)
    pairs: (i, js) => {
      const out = new Float64Array(js.length);
      for (const p of active) {
        const c = pairCache?.[slot[p]];
        const w = weights[p] / wSum;
        for (let q = 0; q < js.length; q++) {
          const j = js[q];
          if (j === i) continue;
          const d = c ? c[i < j ? pairIndex(i, j) : pairIndex(j, i)] : pair(p, i, j);
          out[q] += w * z(p, d, mu[p * n + i], sd[p * n + i], j);
        }
      }
      for (let q = 0; q < js.length; q++) out[q] = js[q] === i ? 0 : squash(out[q]);
      return out;
    },
    // raw[0]: the outside track's block_patterns
    query: (raw) => {
      const q = raw[0];
      if (q.length !== D) throw new YasrError('BAD_INPUT', `block_patterns of the query has ${q.length} values, this yasr expects ${D}`);
      const out = new Float64Array(n);
      for (const p of active) {
        const d = fromVector(p, q);
        let s = 0;
        let s2 = 0;
        for (let j = 0; j < n; j++) {
          s += d[j];
          s2 += d[j] * d[j];
        }
        // the outside track's own statistics come from its distances to the catalogue
        const own = meanSd(n, s, s2);
        const w = weights[p] / wSum;
        for (let j = 0; j < n; j++) out[j] += w * z(p, d[j], own.mu, own.sd, j);
      }
      return out.map(squash);
    },
    trackStats: () =>
      new Map(
        entries.map((e, i) => {
          const parts: number[] = [];
          for (let p = 0; p < nP; p++) parts.push(mu[p * n + i], sd[p * n + i]);
          // mu, sd: the spectral pattern's (parts: every pattern's, in BLOCK_PATTERN_NAMES order)
          return [e.trackId, { mu: parts[0], sd: parts[1], parts }];
        }),
      ),
  };
}

/** The reported distance of a combined z-score: the logistic function, monotone, in (0, 1). */
export function squash(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
