/**
 * The `ivf` ANN backend, plain TypeScript: an inverted file of flat lists (IVF-flat, as in FAISS).
 * The first `add` trains L = round(sqrt(n)) centroids (spherical k-means: unit centroids, items to
 * the centroid of highest inner product; 10 iterations on a seeded sample of at most 64 L items,
 * an empty list re-seeded with a sampled item) and files every item under its centroid. Later adds
 * go to the nearest existing centroid (centroids stay fixed: an index whose catalogue drifted is
 * rebuilt, src/pipeline/similarity/ann-index.ts). A query scores the L centroids, scans the items
 * of the `nprobe` best lists (default max(8, L / 4)) exactly and keeps the k best, ties to the
 * smaller key. With nprobe >= L (any index of up to 64 items by default) the search is exact.
 * O(L dim + n nprobe / L dim) per query; deterministic for a given seed and order of adds.
 *
 * File: `YASRIVF1\n`, a 4-byte little-endian header length, a JSON header {dim, lists, counts},
 * then the centroids (float32), then each list's keys (float64) and vectors (float32).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../../util/random.js';
import type { AnnBackend, AnnIndex, AnnMatches, AnnOptions } from './index.js';
import { checkItems, checkSearch } from './checks.js';

const MAGIC = 'YASRIVF1\n';

interface List {
  keys: number[];
  vecs: Float32Array;
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[ao + k] * b[bo + k];
  return s;
}

/** The index of the row of `c` (m rows) of highest inner product with x; ties to the smaller. */
function nearest(c: Float32Array, m: number, x: Float32Array, xo: number, dim: number): number {
  let best = 0;
  let bv = -Infinity;
  for (let j = 0; j < m; j++) {
    const v = dot(c, j * dim, x, xo, dim);
    if (v > bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}

/** Spherical k-means centroids (m x dim, unit rows) of the n rows of `x`. */
export function trainCentroids(x: Float32Array, n: number, dim: number, m: number, seed: number, iterations = 10): Float32Array {
  const rand = seededRandom(seed);
  // a seeded sample of at most 64 m training rows (a partial Fisher-Yates shuffle)
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const t = Math.min(n, 64 * m);
  for (let i = 0; i < t; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  const c = new Float32Array(m * dim);
  for (let j = 0; j < m; j++) c.set(x.subarray(order[j % t] * dim, order[j % t] * dim + dim), j * dim);
  const sum = new Float64Array(m * dim);
  const count = new Int32Array(m);
  for (let it = 0; it < iterations; it++) {
    sum.fill(0);
    count.fill(0);
    for (let s = 0; s < t; s++) {
      const r = order[s];
      const j = nearest(c, m, x, r * dim, dim);
      count[j]++;
      for (let k = 0; k < dim; k++) sum[j * dim + k] += x[r * dim + k];
    }
    for (let j = 0; j < m; j++) {
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += sum[j * dim + k] ** 2;
      if (count[j] === 0 || norm === 0) {
        // an empty list: re-seed it with a sampled row
        const r = order[Math.floor(rand() * t)];
        c.set(x.subarray(r * dim, r * dim + dim), j * dim);
        continue;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < dim; k++) c[j * dim + k] = sum[j * dim + k] * inv;
    }
  }
  return c;
}

class IvfAnn implements AnnIndex {
  readonly backend = 'ivf' as const;
  private centroids: Float32Array = new Float32Array(0);
  private lists: List[] = [];
  private readonly where = new Map<number, number>();

  constructor(
    readonly dim: number,
    private readonly options: AnnOptions,
  ) {}

  size(): number {
    return this.where.size;
  }

  has(key: number): boolean {
    return this.where.has(key);
  }

  private nprobe(): number {
    return Math.min(this.lists.length, this.options.nprobe ?? Math.max(8, Math.ceil(this.lists.length / 4)));
  }

  add(keys: ArrayLike<number>, vectors: Float32Array): void {
    checkItems(this.dim, keys, vectors);
    const dim = this.dim;
    for (let i = 0; i < keys.length; i++) if (this.where.has(keys[i])) throw new Error(`ANN key ${keys[i]} is already in the index`);
    if (keys.length === 0) return;
    if (this.lists.length === 0) {
      const m = Math.max(1, Math.round(Math.sqrt(keys.length)));
      this.centroids = trainCentroids(vectors, keys.length, dim, m, this.options.seed ?? 1);
      this.lists = Array.from({ length: m }, () => ({ keys: [], vecs: new Float32Array(0) }));
    }
    const m = this.lists.length;
    const target = Int32Array.from({ length: keys.length }, (_, i) => nearest(this.centroids, m, vectors, i * dim, dim));
    const extra = new Int32Array(m);
    for (const j of target) extra[j]++;
    for (let j = 0; j < m; j++) {
      if (!extra[j]) continue;
      const l = this.lists[j];
      const grown = new Float32Array((l.keys.length + extra[j]) * dim);
      grown.set(l.vecs.subarray(0, l.keys.length * dim));
      l.vecs = grown;
    }
    for (let i = 0; i < keys.length; i++) {
      const l = this.lists[target[i]];
      l.vecs.set(vectors.subarray(i * dim, (i + 1) * dim), l.keys.length * dim);
      l.keys.push(keys[i]);
      this.where.set(keys[i], target[i]);
    }
  }

  remove(keys: ArrayLike<number>): number {
    let removed = 0;
    const dim = this.dim;
    for (let i = 0; i < keys.length; i++) {
      const j = this.where.get(keys[i]);
      if (j === undefined) continue;
      const l = this.lists[j];
      const p = l.keys.indexOf(keys[i]);
      const last = l.keys.length - 1;
      // the last item takes the removed one's place
      l.keys[p] = l.keys[last];
      l.vecs.copyWithin(p * dim, last * dim, (last + 1) * dim);
      l.keys.pop();
      this.where.delete(keys[i]);
      removed++;
    }
    return removed;
  }

  search(queries: Float32Array, k: number): AnnMatches {
    const nq = checkSearch(this.dim, queries, k);
    const dim = this.dim;
    const keys = new Float64Array(nq * k).fill(-1);
    const scores = new Float32Array(nq * k).fill(NaN);
    const m = this.lists.length;
    if (m === 0 || this.where.size === 0) return { k, keys, scores };
    const probe = this.nprobe();
    const cs = new Float64Array(m);
    const order = Int32Array.from({ length: m }, (_, j) => j);
    const bestKey = new Float64Array(k);
    const bestVal = new Float64Array(k);
    for (let q = 0; q < nq; q++) {
      const qo = q * dim;
      for (let j = 0; j < m; j++) cs[j] = dot(this.centroids, j * dim, queries, qo, dim);
      // the `probe` lists of highest centroid score (ties to the smaller list)
      order.sort((a, b) => cs[b] - cs[a] || a - b);
      let found = 0;
      for (let pi = 0; pi < probe; pi++) {
        const l = this.lists[order[pi]];
        for (let r = 0; r < l.keys.length; r++) {
          const v = dot(l.vecs, r * dim, queries, qo, dim);
          const key = l.keys[r];
          if (found === k && (v < bestVal[k - 1] || (v === bestVal[k - 1] && key > bestKey[k - 1]))) continue;
          let p = found < k ? found++ : k - 1;
          while (p > 0 && (bestVal[p - 1] < v || (bestVal[p - 1] === v && bestKey[p - 1] > key))) {
            bestVal[p] = bestVal[p - 1];
            bestKey[p] = bestKey[p - 1];
            p--;
          }
          bestVal[p] = v;
          bestKey[p] = key;
        }
      }
      for (let p = 0; p < found; p++) {
        keys[q * k + p] = bestKey[p];
        scores[q * k + p] = bestVal[p];
      }
    }
    return { k, keys, scores };
  }

  save(file: string): void {
    const dim = this.dim;
    const header = Buffer.from(JSON.stringify({ dim, lists: this.lists.length, counts: this.lists.map((l) => l.keys.length) }));
    const parts: Buffer[] = [Buffer.from(MAGIC), Buffer.alloc(4), header, Buffer.from(this.centroids.buffer, this.centroids.byteOffset, this.centroids.byteLength)];
    parts[1].writeUInt32LE(header.length);
    for (const l of this.lists) {
      const k = Float64Array.from(l.keys);
      parts.push(Buffer.from(k.buffer), Buffer.from(l.vecs.buffer, l.vecs.byteOffset, l.keys.length * dim * 4));
    }
    writeFileSync(file, Buffer.concat(parts));
  }

  /** Read a file written by save (throws with the reason when it is not one). */
  static read(file: string, dim: number, options: AnnOptions): IvfAnn {
    const buf = readFileSync(file);
    const bad = (why: string) => new Error(`${file} is not a yasr IVF index (${why})`);
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw bad('no magic');
    let o = MAGIC.length;
    const hl = buf.readUInt32LE(o);
    o += 4;
    let h: { dim: number; lists: number; counts: number[] };
    try {
      h = JSON.parse(buf.subarray(o, o + hl).toString());
    } catch {
      throw bad('header');
    }
    o += hl;
    if (h.dim !== dim) throw bad(`${h.dim}-value vectors, not ${dim}`);
    if (!Array.isArray(h.counts) || h.counts.length !== h.lists) throw bad('header');
    const need = h.lists * dim * 4 + h.counts.reduce((s, c) => s + c * (8 + dim * 4), 0);
    if (buf.length - o !== need) throw bad(`${buf.length - o} bytes of data, not ${need}`);
    const idx = new IvfAnn(dim, options);
    // copies: typed arrays over a Buffer's memory need aligned offsets
    const f32 = (bytes: number) => {
      const a = new Float32Array(bytes / 4);
      new Uint8Array(a.buffer).set(buf.subarray(o, o + bytes));
      o += bytes;
      return a;
    };
    idx.centroids = f32(h.lists * dim * 4);
    idx.lists = h.counts.map((c, j) => {
      const keys = new Float64Array(c);
      new Uint8Array(keys.buffer).set(buf.subarray(o, o + c * 8));
      o += c * 8;
      const l = { keys: Array.from(keys), vecs: f32(c * dim * 4) };
      for (const key of l.keys) idx.where.set(key, j);
      return l;
    });
    return idx;
  }
}

export function loadIvf(): AnnBackend {
  return {
    name: 'ivf',
    description: 'IVF-flat (TypeScript)',
    create: (dim, options = {}) => new IvfAnn(dim, options),
    load: (file, dim, options = {}) => IvfAnn.read(file, dim, options),
  };
}
