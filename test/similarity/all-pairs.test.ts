import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blockPairCount,
  forEachPair,
  packSequences,
  pairListBlocks,
  planBlocks,
  runBlocks,
  sequenceView,
  type Block,
  type MethodSpec,
} from '../../src/similarity/all-pairs.js';
import { dtw } from '../../src/similarity/dtw.js';
import { fastdtw } from '../../src/similarity/fastdtw.js';
import { poolFrames } from '../../src/similarity/pool.js';
import { TopKAccumulator } from '../../src/similarity/topk.js';

// Worker threads run compiled JavaScript from dist/: `npm test` builds first; when run directly
// (npx vitest run test/similarity) and the worker is missing, build here.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/src/similarity/all-pairs-worker.js'))) {
    execSync('npx tsc -p .', { cwd: root, stdio: 'ignore' });
  }
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeSeqs(n: number, dim: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const frames = 20 + Math.floor(r() * 30);
    const s = new Float32Array(frames * dim);
    let walk = r() * 4;
    for (let t = 0; t < frames; t++) {
      walk += r() - 0.5;
      for (let k = 0; k < dim; k++) s[t * dim + k] = walk + r() + k * 0.2;
    }
    out.push(s);
  }
  return out;
}

async function collect(
  seqs: Float32Array[],
  dim: number,
  blocks: Block[],
  spec: MethodSpec,
  workers: number,
): Promise<Map<string, number>> {
  const packed = packSequences(seqs, dim);
  const got = new Map<string, number>();
  const seen = new Set<number>();
  await runBlocks(packed, blocks, spec, {
    workers,
    onBlock: async (block, d) => {
      expect(seen.has(block.id)).toBe(false);
      seen.add(block.id);
      expect(d.length).toBe(blockPairCount(block));
      forEachPair(block, (i, j, p) => got.set(`${i},${j}`, d[p]));
      await Promise.resolve();
    },
  });
  expect(seen.size).toBe(blocks.length);
  return got;
}

describe('planBlocks', () => {
  function pairsOf(blocks: Block[]): string[] {
    const out: string[] = [];
    for (const b of blocks) forEachPair(b, (i, j) => out.push(`${i},${j}`));
    return out;
  }

  it('covers every pair i < j exactly once', () => {
    for (const [n, bs] of [[0, 3], [1, 3], [2, 1], [10, 3], [17, 5], [16, 4], [7, 100]] as const) {
      const got = pairsOf(planBlocks(n, bs));
      const want: string[] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) want.push(`${i},${j}`);
      expect(got.slice().sort()).toEqual(want.slice().sort());
      expect(new Set(got).size).toBe(got.length);
    }
  });

  it('incremental mode covers exactly the pairs touching a new index', () => {
    for (const [n, bs, from] of [[20, 4, 13], [20, 4, 12], [9, 3, 0], [9, 3, 9], [9, 50, 4], [30, 7, 1]] as const) {
      const blocks = planBlocks(n, bs, { onlyNewFrom: from });
      const got = pairsOf(blocks);
      const want: string[] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (j >= from) want.push(`${i},${j}`);
      expect(got.slice().sort()).toEqual(want.slice().sort());
      expect(new Set(got).size).toBe(got.length);
      blocks.forEach((b, q) => expect(b.id).toBe(q));
      // old + new plan = full plan's pairs
      const old = pairsOf(planBlocks(from, bs));
      expect([...old, ...got].sort()).toEqual(pairsOf(planBlocks(n, bs)).sort());
    }
  });

  it('rejects bad arguments', () => {
    expect(() => planBlocks(10, 0)).toThrow(/blockSize/);
    expect(() => planBlocks(10, 3, { onlyNewFrom: 11 })).toThrow(/onlyNewFrom/);
  });
});

describe('runBlocks', () => {
  const dim = 5;
  const seqs = makeSeqs(23, dim, 99);
  const blocks = planBlocks(seqs.length, 6);

  const specs: MethodSpec[] = [
    { method: 'dtw' },
    { method: 'dtw', band: 0.1 },
    { method: 'fastdtw', radius: 1 },
    { method: 'fastdtw', radius: 3, pool: 2 },
    { method: 'dtw', pool: 3, band: 0.2 },
  ];

  for (const spec of specs) {
    it(`equals the serial computation and is identical for 0, 1, 2, 3 workers: ${JSON.stringify(spec)}`, async () => {
      const pool = spec.pool ?? 1;
      const ps = seqs.map((s) => poolFrames(s, dim, pool));
      const serial = new Map<string, number>();
      for (let i = 0; i < seqs.length; i++) {
        for (let j = i + 1; j < seqs.length; j++) {
          const d =
            spec.method === 'dtw'
              ? dtw(ps[i], ps[j], dim, { band: spec.band })
              : fastdtw(ps[i], ps[j], dim, { radius: spec.radius });
          serial.set(`${i},${j}`, Math.fround(d));
        }
      }
      const results = [];
      for (const w of [0, 1, 2, 3]) results.push(await collect(seqs, dim, blocks, spec, w));
      for (const r of results) {
        expect(r.size).toBe(serial.size);
        for (const [key, d] of serial) expect(r.get(key)).toBe(d);
      }
    });
  }

  it('cosine: 1 - cosine similarity of equal-length items', async () => {
    const r = rng(4);
    const vecs = Array.from({ length: 9 }, () => new Float32Array(40).map(() => r() - 0.5));
    vecs[3].fill(0);
    const got = await collect(vecs, 40, planBlocks(9, 4), { method: 'cosine' }, 2);
    for (let i = 0; i < 9; i++) {
      for (let j = i + 1; j < 9; j++) {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let t = 0; t < 40; t++) {
          dot += vecs[i][t] * vecs[j][t];
          na += vecs[i][t] ** 2;
          nb += vecs[j][t] ** 2;
        }
        const want = i === 3 || j === 3 ? 1 : 1 - dot / Math.sqrt(na * nb);
        expect(got.get(`${i},${j}`)).toBeCloseTo(want, 6);
      }
    }
  });

  it('pair-list blocks compute the listed pairs', async () => {
    const pairs = new Int32Array([0, 5, 2, 3, 7, 22, 1, 2, 4, 9]);
    const bl = pairListBlocks(pairs, 2);
    expect(bl.length).toBe(3);
    const got = await collect(seqs, dim, bl, { method: 'dtw' }, 2);
    for (let p = 0; p < pairs.length; p += 2) {
      expect(got.get(`${pairs[p]},${pairs[p + 1]}`)).toBe(Math.fround(dtw(seqs[pairs[p]], seqs[pairs[p + 1]], dim)));
    }
  });

  it('top-k pruning (LB_Keogh + early abandoning) gives the exact top-k for any worker count', async () => {
    const many = makeSeqs(40, dim, 7);
    const bl = planBlocks(many.length, 5);
    const k = 4;
    const exact = new TopKAccumulator(many.length, k);
    for (let i = 0; i < many.length; i++) {
      for (let j = i + 1; j < many.length; j++) exact.addPair(i, j, Math.fround(dtw(many[i], many[j], dim, { band: 0.3 })));
    }
    const want = exact.result();
    for (const w of [1, 2]) {
      const acc = new TopKAccumulator(many.length, k);
      let abandoned = 0;
      await runBlocks(packSequences(many, dim), bl, { method: 'dtw', band: 0.3, pruneK: k }, {
        workers: w,
        onBlock: (b, d) => {
          acc.addBlock(b, d);
          abandoned += d.filter((x) => x === Infinity).length;
        },
      });
      const got = acc.result();
      expect(Array.from(got.index)).toEqual(Array.from(want.index));
      expect(Array.from(got.distance)).toEqual(Array.from(want.distance));
      expect(abandoned).toBeGreaterThan(0);
    }
  });

  it('stops on abort and propagates onBlock errors', async () => {
    const packed = packSequences(seqs, dim);
    const ac = new AbortController();
    let calls = 0;
    await expect(
      runBlocks(packed, blocks, { method: 'dtw' }, {
        workers: 2,
        signal: ac.signal,
        onBlock: () => {
          calls++;
          if (calls === 2) ac.abort(new Error('stop now'));
        },
      }),
    ).rejects.toThrow(/stop now/);
    expect(calls).toBeLessThan(blocks.length);
    await expect(
      runBlocks(packed, blocks, { method: 'dtw' }, {
        workers: 2,
        onBlock: () => {
          throw new Error('commit failed');
        },
      }),
    ).rejects.toThrow(/commit failed/);
    await expect(
      runBlocks(packed, blocks, { method: 'dtw' }, { workers: 0, onBlock: () => Promise.reject(new Error('inline failed')) }),
    ).rejects.toThrow(/inline failed/);
    await expect(runBlocks(packed, blocks, { method: 'nope' as 'dtw' }, { onBlock: () => {} })).rejects.toThrow(/method/);
  });

  it('packSequences keeps every sequence intact in shared memory', () => {
    const packed = packSequences(seqs, dim);
    expect(packed.frames.buffer).toBeInstanceOf(SharedArrayBuffer);
    seqs.forEach((s, i) => expect(Array.from(sequenceView(packed, i))).toEqual(Array.from(s)));
  });
});

describe('TopKAccumulator', () => {
  it('keeps the k smallest per track, ties by index, ignores Infinity', () => {
    const acc = new TopKAccumulator(4, 2);
    acc.addPair(0, 1, 5);
    acc.addPair(0, 2, 3);
    acc.addPair(0, 3, 3);
    acc.addPair(1, 2, Infinity);
    acc.addPair(2, 3, 1);
    const r = acc.result();
    expect(Array.from(r.index)).toEqual([2, 3, 0, -1, 3, 0, 2, 0]);
    expect(Array.from(r.distance)).toEqual([3, 3, 5, Infinity, 1, 3, 1, 3]);
  });
});
