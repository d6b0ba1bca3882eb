/**
 * Manhattan distances and distance space normalisation (DSN), the combination rule of the
 * block-level similarity (Seyerlehner, Widmer & Pohle 2010; after Pohle, Schnitzer et al.'s
 * normalisation of each distance by the distribution of distances around both items):
 *
 *     dsn(i, j) = ((d(i, j) - mu_i) / sd_i + (d(i, j) - mu_j) / sd_j) / 2
 *
 * where mu_i and sd_i are the mean and (population) standard deviation of the distances from i
 * to every other item (j != i). Each pattern's distances are normalised this way, so patterns of
 * very different scales (dB, dB^2, correlations) can be summed with weights.
 */

/** sum |a[ao + k] - b[bo + k]|, k = 0 .. len - 1. */
export function l1(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < len; k += 2) {
    s0 += Math.abs(a[ao + k] - b[bo + k]);
    s1 += Math.abs(a[ao + k + 1] - b[bo + k + 1]);
  }
  if (k < len) s0 += Math.abs(a[ao + k] - b[bo + k]);
  return s0 + s1;
}

/** Mean and population standard deviation from a count, a sum and a sum of squares (sd 0 when count < 1). */
export function meanSd(count: number, sum: number, sumSq: number): { mu: number; sd: number } {
  if (count < 1) return { mu: 0, sd: 0 };
  const mu = sum / count;
  return { mu, sd: Math.sqrt(Math.max(0, sumSq / count - mu * mu)) };
}

/** A spread usable as a divisor: a zero (or non-finite) standard deviation counts as 1. */
export function safeSd(sd: number): number {
  return sd > 0 && Number.isFinite(sd) ? sd : 1;
}

/** The DSN of one distance, given both items' row statistics. */
export function dsn(d: number, muI: number, sdI: number, muJ: number, sdJ: number): number {
  return ((d - muI) / safeSd(sdI) + (d - muJ) / safeSd(sdJ)) / 2;
}

/**
 * Row statistics of a symmetric n x n distance matrix (row-major), the diagonal left out:
 * mu[i], sd[i] over j != i.
 */
export function rowStats(D: ArrayLike<number>, n: number): { mu: Float64Array; sd: Float64Array } {
  const mu = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      s += D[i * n + j];
      s2 += D[i * n + j] ** 2;
    }
    const r = meanSd(n - 1, s, s2);
    mu[i] = r.mu;
    sd[i] = r.sd;
  }
  return { mu, sd };
}

/** The DSN of a whole symmetric distance matrix (the diagonal stays 0). */
export function dsnMatrix(D: ArrayLike<number>, n: number): Float64Array {
  const { mu, sd } = rowStats(D, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i) out[i * n + j] = dsn(D[i * n + j], mu[i], sd[i], mu[j], sd[j]);
  return out;
}
