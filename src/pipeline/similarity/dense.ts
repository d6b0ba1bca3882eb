import type { Db } from '../../store/db.js';
import { YasrError } from '../../errors.js';
import { countPlan, findSets, iterateBlocks, members as loadMembers } from '../../store/similarity.js';
import { hashOf, normalizeParams, type SimilarityParams } from './methods.js';
import { methodNamed } from './registry.js';
import { catalogueFor } from './catalogue.js';
import { allPairsMax, dtwAllPairsMax } from './candidate-params.js';

export interface DenseMatrix {
  n: number;
  /** Row-major n x n, float32. */
  data: Float32Array;
  trackIds: number[];
  orientation: 'similarity' | 'distance';
  params: Record<string, unknown>;
}

/**
 * The full N x N matrix of a method: for sequence methods, assembled from the stored blocks
 * (the result set must be complete and all-pairs: run `yasr similarity` first; a --shortlist
 * set has no full matrix); for vector methods, computed
 * now from the stored vectors. The diagonal is each item against itself (1 or 0).
 */
export function denseMatrix(db: Db, p: SimilarityParams): DenseMatrix {
  const params = normalizeParams(p);
  const m = methodNamed(params.method);
  const method = m.name;
  const orient = m.orientation;
  if (m.kind === 'sequence') {
    if (params.shortlist !== undefined || params.candidates !== undefined) {
      const opt = params.shortlist !== undefined ? `--shortlist ${String(params.shortlist)}` : `--candidates ${String(params.candidates)}`;
      throw new YasrError('BAD_PARAMETER', `${method} with ${opt} stores only each track's shortlisted pairs, not a full matrix: use ${opt.split(' ')[0]} all (every pair)`);
    }
    const set = findSets(db, method).find((s) => s.paramsHash === hashOf(params));
    if (!set) {
      // above allPairsMax() tracks (dtw: dtwAllPairsMax()) a plain run makes a candidates (shortlist) set: name all pairs
      const n = catalogueFor(db, params).entries.length;
      const all = method === 'dtw' ? (n > dtwAllPairsMax() ? ' --shortlist all' : '') : n > allPairsMax() ? ' --candidates all' : '';
      throw new YasrError('NOT_FOUND', `no ${method} results with ${JSON.stringify(params)}: run "yasr similarity --method ${method}${all}" with the same parameters first`);
    }
    const c = countPlan(db, set.id);
    if (c.done < c.planned) {
      throw new YasrError('NOT_FOUND', `${method} results are incomplete (${c.done} of ${c.planned} blocks): run "yasr similarity" again to finish them`);
    }
    const ms = loadMembers(db, set.id);
    const pos = new Int32Array(ms.length).fill(-1);
    const trackIds: number[] = [];
    ms.forEach((m, i) => {
      if (m.active) {
        pos[i] = trackIds.length;
        trackIds.push(m.trackId);
      }
    });
    const n = trackIds.length;
    const data = new Float32Array(n * n);
    for (const b of iterateBlocks(db, set.id)) {
      let q = 0;
      for (let i = b.i0; i < b.i1; i++) {
        for (let j = b.diagonal ? i + 1 : b.j0; j < b.j1; j++, q++) {
          const a = pos[i];
          const c2 = pos[j];
          if (a < 0 || c2 < 0) continue;
          data[a * n + c2] = b.data[q];
          data[c2 * n + a] = b.data[q];
        }
      }
    }
    return { n, data, trackIds, orientation: orient, params };
  }
  const { entries } = catalogueFor(db, params);
  const n = entries.length;
  const data = new Float32Array(n * n);
  if (n > 0) {
    const model = m.model(db, params, entries);
    for (let i = 0; i < n; i++) data.set(model.row(i), i * n);
  }
  return { n, data, trackIds: entries.map((e) => e.trackId), orientation: orient, params };
}
