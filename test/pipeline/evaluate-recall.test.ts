/**
 * evaluate --candidates (src/pipeline/evaluate-recall.ts): recall@k of candidates + exact
 * re-ranking against all pairs, checked against a brute-force computation from the definition
 * (exact top k of the all-pairs model rows; candidate lists: top k of each track's brute-force
 * candidate pairs, by the method's candidate vector, by the same scores).
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../benchmarks/pipeline/synthetic-catalogue.js';
import { evaluateRecall } from '../../src/pipeline/evaluate-recall.js';
import { resolveRun, vectorModelFor } from '../../src/pipeline/similarity/run-similarity.js';
import { getFeature } from '../../src/store/features.js';
import { bruteForceShortlist } from '../helpers/shortlist.js';
import type { MethodName } from '../../src/pipeline/similarity/methods.js';

describe('evaluateRecall', () => {
  it('equals the brute-force recall@k; every pair as candidates gives 1', async () => {
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, 40, { seed: 31 });
    const k = 5;
    const C = 2;
    const r = await evaluateRecall(db, { methods: ['cosine', 'features'], candidates: C, k, workers: 1 });
    expect(r).toMatchObject({ candidates: C, k });
    for (const m of r.methods) {
      const method = m.method as MethodName;
      const { params, entries } = resolveRun(db, { method });
      const ids = entries.map((e) => e.trackId);
      const model = vectorModelFor(db, params, entries);
      const sign = model.orientation === 'similarity' ? -1 : 1;
      // candidates from the method's own vector's index: timbre_summary for cosine, descriptors for features
      const vector = method === 'features' ? 'descriptors' : 'timbre_summary';
      const rows = ids.map((id) => Array.from(getFeature(db, id, vector)!.data));
      const partners = ids.map(() => new Set<number>());
      for (const p of bruteForceShortlist(rows, C).pairs) {
        const [a, b] = p.split(',').map(Number);
        partners[a].add(b);
        partners[b].add(a);
      }
      let hits = 0;
      let worst = 1;
      let perfect = 0;
      ids.forEach((_, i) => {
        const row = model.row(i);
        const order = (js: number[]) => js.sort((x, y) => sign * (row[x] - row[y]) || x - y).slice(0, k);
        const exact = order(ids.map((_, j) => j).filter((j) => j !== i));
        const cand = order([...partners[i]]);
        const last = row[exact[exact.length - 1]];
        const h = cand.filter((j) => exact.includes(j) || row[j] === last).length;
        hits += h;
        worst = Math.min(worst, h / k);
        if (h === k) perfect++;
      });
      expect(m.recall, method).toBeCloseTo(hits / (40 * k), 12);
      expect(m.worstTrack).toBeCloseTo(worst, 12);
      expect(m.perfectTracks).toBe(perfect);
      // two candidates each cannot hold five neighbours: some recall is lost
      expect(m.recall).toBeLessThan(1);
      expect(m).toMatchObject({ tracks: 40, allPairs: 780 });
      expect(m.candidatePairs).toBeGreaterThanOrEqual(40);
    }
    const full = await evaluateRecall(db, { methods: ['timbre', 'hybrid'], candidates: 39, k, workers: 1 });
    for (const m of full.methods) expect(m).toMatchObject({ recall: 1, worstTrack: 1, perfectTracks: 40 });
    await expect(evaluateRecall(db, { methods: ['cosine'], candidates: 0, k, workers: 1 })).rejects.toThrow('invalid candidates: 0');
    db.close();
  });
});
