/**
 * The `usearch` ANN backend: an HNSW graph (Malkov and Yashunin) from Unum's usearch, inner-product
 * metric on float32 vectors. usearch is an optional dependency of yasr: its npm tarball carries
 * prebuilt binaries (linux x64/arm64, macOS), loaded by node-gyp-build, and its install script
 * downloads nothing (it would compile from source only where no binary fits, and yasr does not
 * list it among the scripts npm may run). Where it does not load, `auto` takes the ivf backend.
 *
 * Determinism: a graph built on one thread (the default, `threads: 1`) is the same every time for
 * the same items added in the same order; searches of a given graph do not depend on threads
 * (searches run on the threads the adds reserved).
 * Removing a key marks it deleted (searches skip it); the graph keeps its node until saved and
 * loaded (usearch compacts nothing in between), so an index with much churn is rebuilt instead
 * (src/pipeline/similarity/ann-index.ts).
 *
 * File: usearch's own file wrapped in a checked envelope: `YASRUSE1\n`, a 4-byte little-endian
 * header length, a JSON header {dim, bytes, sha256} and usearch's bytes. usearch's loader trusts
 * its input (a damaged file crashes the process rather than failing), so yasr checks the length
 * and checksum first and never hands it a file it did not write whole.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AnnBackend, AnnIndex, AnnMatches, AnnOptions } from './index.js';
import { checkItems, checkSearch } from './checks.js';

/** The part of usearch's JavaScript API yasr uses (its CommonJS build). */
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads?: number): { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
  contains(keys: BigUint64Array): boolean[];
  remove(keys: BigUint64Array): number[];
  size(): number;
  dimensions(): number;
  save(path: string): void;
  load(path: string): void;
}
interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
}

/** Queries searched per native call (bounds the result arrays: 4096 x k keys). */
const SEARCH_CHUNK = 4096;

class UsearchAnn implements AnnIndex {
  readonly backend = 'usearch' as const;
  private readonly threads: number;
  constructor(
    private readonly native: UsearchIndex,
    readonly dim: number,
    options: AnnOptions,
  ) {
    // usearch keeps one search context per thread reserved at add time: searches use as many
    this.threads = options.threads ?? 1;
  }

  size(): number {
    return this.native.size();
  }

  has(key: number): boolean {
    return this.native.contains(BigUint64Array.of(BigInt(key)))[0] === true;
  }

  add(keys: ArrayLike<number>, vectors: Float32Array): void {
    checkItems(this.dim, keys, vectors);
    if (keys.length === 0) return;
    const big = BigUint64Array.from(Array.from(keys, (k) => BigInt(k)));
    const held = this.native.contains(big);
    const dup = held.findIndex((h) => h);
    if (dup >= 0) throw new Error(`ANN key ${keys[dup]} is already in the index`);
    this.native.add(big, vectors, this.threads);
  }

  remove(keys: ArrayLike<number>): number {
    if (keys.length === 0) return 0;
    const r = this.native.remove(BigUint64Array.from(Array.from(keys, (k) => BigInt(k))));
    let n = 0;
    for (const x of r) n += Number(x);
    return n;
  }

  search(queries: Float32Array, k: number): AnnMatches {
    const nq = checkSearch(this.dim, queries, k);
    const keys = new Float64Array(nq * k).fill(-1);
    const scores = new Float32Array(nq * k).fill(NaN);
    if (nq === 0 || this.native.size() === 0) return { k, keys, scores };
    for (let q0 = 0; q0 < nq; q0 += SEARCH_CHUNK) {
      const q1 = Math.min(nq, q0 + SEARCH_CHUNK);
      const r = this.native.search(queries.subarray(q0 * this.dim, q1 * this.dim), k, this.threads);
      for (let q = q0; q < q1; q++) {
        // one query: the matches found (no counts); a batch: k slots per query, counts[q] used
        const count = r.counts ? Number(r.counts[q - q0]) : r.keys.length;
        const base = r.counts ? (q - q0) * k : 0;
        for (let p = 0; p < Math.min(count, k); p++) {
          keys[q * k + p] = Number(r.keys[base + p]);
          // the inner-product metric's distance is 1 - a.b
          scores[q * k + p] = 1 - r.distances[base + p];
        }
      }
    }
    return { k, keys, scores };
  }

  save(file: string): void {
    const raw = `${file}.usearch-${process.pid}`;
    try {
      this.native.save(raw);
      const body = readFileSync(raw);
      const header = Buffer.from(JSON.stringify({ dim: this.dim, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') }));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(header.length);
      writeFileSync(file, Buffer.concat([Buffer.from(MAGIC), len, header, body]));
    } finally {
      try {
        unlinkSync(raw);
      } catch {
        /* not written */
      }
    }
  }
}

const MAGIC = 'YASRUSE1\n';

/** usearch's bytes from a file `save` wrote, checked (throws with the reason otherwise). */
function unwrap(file: string, dim: number): Buffer {
  const buf = readFileSync(file);
  const bad = (why: string) => new Error(`${file} is not a yasr usearch index (${why})`);
  if (buf.length < MAGIC.length + 4 || buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw bad('no magic');
  const hl = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + hl;
  let h: { dim: number; bytes: number; sha256: string };
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 4, start).toString());
  } catch {
    throw bad('header');
  }
  const body = buf.subarray(start);
  if (body.length !== h.bytes) throw bad(`${body.length} bytes, not ${h.bytes}`);
  if (createHash('sha256').update(body).digest('hex') !== h.sha256) throw bad('checksum mismatch');
  if (h.dim !== dim) throw bad(`${h.dim}-value vectors, not ${dim}`);
  return body;
}

export function loadUsearch(): AnnBackend {
  const require = createRequire(import.meta.url);
  let mod: UsearchModule;
  try {
    mod = require('usearch') as UsearchModule;
  } catch (err) {
    throw new Error(`the optional usearch package is not installed or its binary does not load here (${(err as Error).message.split('\n')[0]}); npm install usearch`);
  }
  const make = (dim: number, o: AnnOptions): UsearchIndex =>
    new mod.Index({
      dimensions: dim,
      metric: 'ip',
      quantization: 'f32',
      connectivity: o.connectivity ?? 16,
      expansion_add: o.expansionAdd ?? 128,
      expansion_search: o.expansionSearch ?? 128,
      multi: false,
    });
  // the binary must work, not just load: a tiny index, one search
  const probe = make(2, {});
  probe.add(BigUint64Array.of(1n, 2n), Float32Array.of(1, 0, 0, 1), 1);
  const r = probe.search(Float32Array.of(0, 1), 1, 1);
  if (Number(r.keys[0]) !== 2) throw new Error('usearch loads but its self-test search is wrong');
  return {
    name: 'usearch',
    description: 'usearch HNSW (native, prebuilt)',
    create: (dim, options = {}) => new UsearchAnn(make(dim, options), dim, options),
    load(file, dim, options = {}) {
      const body = unwrap(file, dim);
      const raw = `${file}.usearch-${process.pid}`;
      const native = make(dim, options);
      try {
        writeFileSync(raw, body);
        native.load(raw);
      } finally {
        try {
          unlinkSync(raw);
        } catch {
          /* not written */
        }
      }
      if (native.dimensions() !== dim) throw new Error(`${file} holds ${native.dimensions()}-value vectors, not ${dim}`);
      return new UsearchAnn(native, dim, options);
    },
  };
}
