/**
 * Held-out evaluation: parameters are chosen on one half of the labels (albums or artists) and
 * scored on the other half, then the halves swap. Figures measured on the data their parameters
 * were chosen on are training scores; these are not.
 *
 * Each half is evaluated on its own: queries and their candidate neighbours both come from that
 * half (leave-one-out inside it), so nothing of the other half takes part.
 */
import { badParameter } from '../errors.js';
import { neighboursFromDistanceMatrix } from './neighbours.js';
import { precisionAtK } from './precision.js';
import { hashString, seededRandom } from '../util/random.js';

/**
 * Split items into two halves by label: every item of a label lands in the same half. Labels are
 * ordered by a seeded hash and dealt greedily to the half with fewer items so far, so the halves
 * hold about as many items (and labels) each.
 *
 * @returns half[i] in {0, 1}, length n.
 */
export function splitByLabel(labels: readonly string[], seed = 1): Uint8Array {
  const size = new Map<string, number>();
  for (const l of labels) size.set(l, (size.get(l) ?? 0) + 1);
  const order = [...size.keys()].sort((a, b) => hashString(a, seed) - hashString(b, seed) || (a < b ? -1 : 1));
  const side = new Map<string, number>();
  const items = [0, 0];
  const count = [0, 0];
  for (const l of order) {
    const h = items[0] < items[1] || (items[0] === items[1] && count[0] <= count[1]) ? 0 : 1;
    side.set(l, h);
    items[h] += size.get(l)!;
    count[h]++;
  }
  return Uint8Array.from(labels, (l) => side.get(l)!);
}

/** The rows and columns `idx` of a row-major n x n matrix. */
export function subMatrix(data: ArrayLike<number>, n: number, idx: readonly number[]): Float32Array {
  const m = idx.length;
  const out = new Float32Array(m * m);
  for (let a = 0; a < m; a++) {
    const o = idx[a] * n;
    for (let b = 0; b < m; b++) out[a * m + b] = data[o + idx[b]];
  }
  return out;
}

/** A choice of parameters with its full n x n matrix over the evaluated items. */
export interface Candidate {
  /** How the choice is named in reports, e.g. "weights 0.5,0.25,0.25". */
  name: string;
  /** The matrix, row-major n x n (made on demand: a grid of weights need not all be in memory). */
  matrix(): Float32Array;
  orientation: 'similarity' | 'distance';
}

/** Leave-one-out precision@k inside the items `idx`, with per-query values (length idx.length). */
export function precisionWithin(
  c: Candidate,
  n: number,
  idx: readonly number[],
  labels: readonly string[],
  k: number,
  artists?: readonly string[],
): { precision: number; queries: number; perQuery: Float64Array } {
  const sub = subMatrix(c.matrix(), n, idx);
  const r = precisionAtK({
    neighbours: neighboursFromDistanceMatrix(sub, idx.length, { order: c.orientation === 'similarity' ? 'descending' : 'ascending' }),
    labels: idx.map((i) => labels[i]),
    k,
    excludeSameArtist: artists ? idx.map((i) => artists[i]) : undefined,
  });
  return { precision: r.precision, queries: r.queries, perQuery: r.perQuery };
}

export interface HeldOutHalf {
  /** The half the parameters were chosen on (0 or 1); the figure is on the other one. */
  tunedOn: number;
  /** The candidate chosen there (the best precision on that half; ties: the first listed). */
  chosen: string;
  /** Its precision on the half it was chosen on: a training score. */
  training: number;
  /** Its precision on the other half: the held-out figure. */
  heldOut: number;
  /** Queries scored on the other half. */
  queries: number;
}

export interface HeldOutResult {
  halves: [HeldOutHalf, HeldOutHalf];
  /** Mean of the two held-out figures. */
  mean: number;
  /** Half their difference (the mean +- spread covers both). */
  spread: number;
  /** 95 % interval of the held-out precision by a bootstrap over labels (see labelBootstrap). */
  interval: [number, number];
}

/**
 * Choose the best candidate on each half, report it on the other.
 *
 * @param candidates at least one; each an n x n matrix over the same items
 * @param half from splitByLabel, length n
 * @throws YasrError BAD_PARAMETER for no candidates or mismatched lengths
 */
export function heldOut(
  candidates: readonly Candidate[],
  n: number,
  half: Uint8Array,
  labels: readonly string[],
  k: number,
  o: { artists?: readonly string[]; seed?: number; resamples?: number } = {},
): HeldOutResult {
  if (!candidates.length) throw badParameter('candidates', 0, 'at least one parameter choice');
  if (half.length !== n || labels.length !== n) throw badParameter('half.length', half.length, `${n} (one per item)`);
  const idx = [0, 1].map((h) => [...half.keys()].filter((i) => half[i] === h));
  const testValues: number[] = [];
  const testLabels: string[] = [];
  const halves = [0, 1].map((t): HeldOutHalf => {
    let best = -1;
    let bestP = -Infinity;
    candidates.forEach((c, ci) => {
      const p = precisionWithin(c, n, idx[t], labels, k, o.artists).precision;
      if (Number.isFinite(p) && p > bestP) {
        bestP = p;
        best = ci;
      }
    });
    if (best < 0) best = 0;
    const test = precisionWithin(candidates[best], n, idx[1 - t], labels, k, o.artists);
    test.perQuery.forEach((v, a) => {
      if (Number.isFinite(v)) {
        testValues.push(v);
        testLabels.push(labels[idx[1 - t][a]]);
      }
    });
    return { tunedOn: t, chosen: candidates[best].name, training: bestP, heldOut: test.precision, queries: test.queries };
  }) as [HeldOutHalf, HeldOutHalf];
  const figures = halves.map((h) => h.heldOut).filter(Number.isFinite);
  const mean = figures.length ? figures.reduce((a, b) => a + b, 0) / figures.length : Number.NaN;
  const spread = figures.length === 2 ? Math.abs(figures[0] - figures[1]) / 2 : Number.NaN;
  return { halves, mean, spread, interval: labelBootstrap(testValues, testLabels, { seed: o.seed, resamples: o.resamples }) };
}


/**
 * Percentile bootstrap interval of a mean of per-query values, resampling whole labels (albums)
 * with replacement: queries of one album are not independent, so resampling them one by one
 * would give too narrow an interval.
 *
 * @returns [low, high] for `level` (default 0.95); [NaN, NaN] without values.
 */
export function labelBootstrap(
  values: readonly number[],
  labels: readonly string[],
  o: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  return groupBootstrap([values], labels, (sums, n) => sums[0] / n, o);
}

/**
 * Percentile bootstrap interval of the ratio of two means over the same queries (a[i] and b[i]
 * are two methods' values for query i), resampling whole labels as labelBootstrap does: both
 * means come from the same resample, so the interval is that of the ratio, not of either mean.
 *
 * @returns [low, high] of mean(a) / mean(b) for `level` (default 0.95); [NaN, NaN] without values.
 */
export function labelBootstrapRatio(
  a: readonly number[],
  b: readonly number[],
  labels: readonly string[],
  o: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  if (a.length !== b.length) throw badParameter('b.length', b.length, `a.length = ${a.length}`);
  return groupBootstrap([a, b], labels, (sums) => sums[0] / sums[1], o);
}

/** Resamples labels (groups of queries) with replacement; `statistic` gets each column's sum over
 * the resample and its number of queries. Percentiles of R resamples. */
function groupBootstrap(
  columns: readonly (readonly number[])[],
  labels: readonly string[],
  statistic: (sums: Float64Array, n: number) => number,
  o: { resamples?: number; seed?: number; level?: number },
): [number, number] {
  if (!columns[0].length) return [Number.NaN, Number.NaN];
  const c = columns.length;
  const groups = new Map<string, { sums: Float64Array; n: number }>();
  columns[0].forEach((_, i) => {
    const g = groups.get(labels[i]) ?? { sums: new Float64Array(c), n: 0 };
    for (let j = 0; j < c; j++) g.sums[j] += columns[j][i];
    g.n++;
    groups.set(labels[i], g);
  });
  const gs = [...groups.values()];
  const R = o.resamples ?? 2000;
  const next = seededRandom(o.seed ?? 1);
  const stats = new Float64Array(R);
  const sums = new Float64Array(c);
  for (let r = 0; r < R; r++) {
    sums.fill(0);
    let n = 0;
    for (let g = 0; g < gs.length; g++) {
      const pick = gs[Math.floor(next() * gs.length)];
      for (let j = 0; j < c; j++) sums[j] += pick.sums[j];
      n += pick.n;
    }
    stats[r] = statistic(sums, n);
  }
  stats.sort();
  const alpha = (1 - (o.level ?? 0.95)) / 2;
  const at = (q: number) => stats[Math.min(R - 1, Math.max(0, Math.round(q * (R - 1))))];
  return [at(alpha), at(1 - alpha)];
}
