/**
 * Leaf order of an average-linkage (UPGMA) hierarchical clustering, for ordering a similarity
 * matrix so that similar tracks sit together. The nearest-neighbour chain algorithm merges
 * reciprocal nearest neighbours: O(n^2) time, one n x n float32 working copy.
 */

/**
 * `dist` is a symmetric n x n distance matrix (row-major; the diagonal is ignored). Returns the
 * leaves (original indices) left to right; each merge puts the cluster holding the smaller
 * original index first, so the order is deterministic.
 */
export function averageLinkageOrder(dist: ArrayLike<number>, n: number): number[] {
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  const d = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = (dist[i * n + j] + dist[j * n + i]) / 2;
      d[i * n + j] = Number.isFinite(v) ? v : Number.MAX_VALUE;
    }
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  // node of each active slot: leaves are 0..n-1, merges n, n+1, ...
  const node = Int32Array.from({ length: n }, (_, i) => i);
  const left = new Int32Array(n - 1);
  const right = new Int32Array(n - 1);
  const minLeaf = new Int32Array(2 * n - 1);
  for (let i = 0; i < n; i++) minLeaf[i] = i;
  let merges = 0;
  const chain: number[] = [];
  while (merges < n - 1) {
    if (chain.length === 0) {
      let s = 0;
      while (!active[s]) s++;
      chain.push(s);
    }
    const a = chain[chain.length - 1];
    const prev = chain.length >= 2 ? chain[chain.length - 2] : -1;
    // nearest active neighbour of a; ties keep the previous chain element (so the chain ends)
    let b = prev;
    let best = prev >= 0 ? d[a * n + prev] : Infinity;
    for (let k = 0; k < n; k++) {
      if (k === a || !active[k]) continue;
      const v = d[a * n + k];
      if (v < best) {
        best = v;
        b = k;
      }
    }
    if (b !== prev) {
      chain.push(b);
      continue;
    }
    // a and prev are reciprocal nearest neighbours: merge prev into a's slot
    chain.length -= 2;
    const sa = size[a];
    const sb = size[prev];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a || k === prev) continue;
      const v = (sa * d[a * n + k] + sb * d[prev * n + k]) / (sa + sb);
      d[a * n + k] = v;
      d[k * n + a] = v;
    }
    active[prev] = 0;
    size[a] = sa + sb;
    const na = node[a];
    const nb = node[prev];
    const id = n + merges;
    const [l, r] = minLeaf[na] <= minLeaf[nb] ? [na, nb] : [nb, na];
    left[merges] = l;
    right[merges] = r;
    minLeaf[id] = minLeaf[l];
    node[a] = id;
    merges++;
  }
  // depth-first, left to right, without recursion
  const order: number[] = [];
  const stack = [n + merges - 1];
  while (stack.length) {
    const v = stack.pop()!;
    if (v < n) order.push(v);
    else {
      stack.push(right[v - n]);
      stack.push(left[v - n]);
    }
  }
  return order;
}
