/**
 * The cosine shortlist's definition (src/similarity/shortlist.ts), computed naively for tests:
 * z-score in float64 (population std; a constant dimension becomes 0), cosine, each item's
 * min(size, n - 1) best (ties to the smaller index), then the symmetric union of pairs.
 */

/** Pairs "a,b" (a < b) and how many list entries were one-sided (j in S(i), i not in S(j)). */
export function bruteForceShortlist(rows: number[][], size: number): { pairs: Set<string>; oneSided: number } {
  const n = rows.length;
  const dim = rows[0].length;
  const mean = Array.from({ length: dim }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / n);
  const std = Array.from({ length: dim }, (_, k) => Math.sqrt(rows.reduce((s, r) => s + (r[k] - mean[k]) ** 2, 0) / n));
  const z = rows.map((r) => r.map((x, k) => (std[k] > 0 ? (x - mean[k]) / std[k] : 0)));
  const cos = (a: number[], b: number[]): number => {
    let d = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < dim; k++) {
      d += a[k] * b[k];
      na += a[k] ** 2;
      nb += b[k] ** 2;
    }
    return na === 0 || nb === 0 ? 0 : d / Math.sqrt(na * nb);
  };
  const m = Math.min(size, n - 1);
  const lists = z.map((zi, i) =>
    z
      .map((zj, j) => ({ j, s: cos(zi, zj) }))
      .filter((e) => e.j !== i)
      .sort((x, y) => y.s - x.s || x.j - y.j)
      .slice(0, m)
      .map((e) => e.j),
  );
  const pairs = new Set<string>();
  let oneSided = 0;
  lists.forEach((l, i) => {
    for (const j of l) {
      pairs.add(`${Math.min(i, j)},${Math.max(i, j)}`);
      if (!lists[j].includes(i)) oneSided++;
    }
  });
  return { pairs, oneSided };
}

