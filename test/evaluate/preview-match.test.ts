import { describe, expect, it } from 'vitest';
import { previewMatchRates, previewOffset } from '../../src/evaluate/preview-match.js';

describe('previewOffset', () => {
  it('is deterministic per key and seed, and stays within [0, duration - length]', () => {
    expect(previewOffset('a.ogg', 1, 200)).toBe(previewOffset('a.ogg', 1, 200));
    const xs = Array.from({ length: 200 }, (_, i) => previewOffset(`t${i}`, 7, 100));
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(70);
    }
    // spread over the range, not stuck at one end
    expect(Math.min(...xs)).toBeLessThan(10);
    expect(Math.max(...xs)).toBeGreaterThan(60);
    expect(new Set(xs.map((x) => Math.round(x))).size).toBeGreaterThan(30);
    expect(previewOffset('a.ogg', 1, 200)).not.toBe(previewOffset('a.ogg', 2, 200));
  });

  it('is 0 for tracks not longer than the preview, and rejects bad durations', () => {
    expect(previewOffset('short', 1, 25)).toBe(0);
    expect(previewOffset('short', 1, 30)).toBe(0);
    expect(() => previewOffset('x', 1, Number.NaN)).toThrow();
  });
});

describe('previewMatchRates', () => {
  // items on a line: previews 0, 1, 2 at 0, 10, 20; their fulls 3, 4, 5 at 1, 14, 21:
  // every preview and full track is nearest to its partner
  const pos = [0, 10, 20, 1, 14, 21];
  const dist = (p: number[]) => {
    const n = p.length;
    const d = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = Math.abs(p[i] - p[j]);
    return { n, data: d, orientation: 'distance' as const };
  };
  const pairs = [{ preview: 0, full: 3 }, { preview: 1, full: 4 }, { preview: 2, full: 5 }];

  it('counts mutual nearest pairs', () => {
    const r = previewMatchRates(dist(pos), pairs);
    expect(r.mutual).toEqual({ queries: 3, hits: 3, rate: 1 });
  });

  it('counts each direction on its own', () => {
    // full 4 moves to 18: preview 1 (10) is still nearest to it (8 < 9 to full 3), but full 4's
    // nearest are preview 2 (20) and full 5 (21): its preview ranks 3rd
    const r = previewMatchRates(dist([0, 10, 20, 1, 18, 21]), pairs);
    expect(r.previewToFull.hits).toBe(3);
    expect(r.fullToPreview.hits).toBe(2);
    expect(r.mutual.hits).toBe(2);
    expect(r.ranks[1]).toEqual({ previewToFull: 1, fullToPreview: 3 });
  });

  it('reads similarities the other way round', () => {
    const d = dist(pos);
    const s = { n: d.n, data: d.data.map((v) => -v), orientation: 'similarity' as const };
    expect(previewMatchRates(s, pairs).mutual.rate).toBe(1);
  });
});
