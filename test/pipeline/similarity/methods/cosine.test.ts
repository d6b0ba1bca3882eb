/**
 * `yasr similarity --method cosine` stores each track's k nearest and k farthest from the exact
 * blocked top-k (methods/cosine.ts topK); they must be exactly the lists the model's rows give
 * (every score against every track, then bestK), with and without windows and standardisation,
 * on every tensor backend.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { putFeature } from '../../../../src/store/features.js';
import { FEATURES_VERSION } from '../../../../src/pipeline/feature-options.js';
import { analysedTracks } from '../../../../src/pipeline/similarity/catalogue.js';
import { normalizeParams } from '../../../../src/pipeline/similarity/methods.js';
import { cosine } from '../../../../src/pipeline/similarity/methods/cosine.js';
import { bestK } from '../../../../src/pipeline/similarity/vector-model.js';
import { backendStatus } from '../../../../src/similarity/backends/select.js';
import { seededRandom } from '../../../../src/util/random.js';
import { vectorCatalogue } from '../../../helpers/vector-catalogue.js';

const saved = process.env.YASR_TENSOR_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.YASR_TENSOR_BACKEND;
  else process.env.YASR_TENSOR_BACKEND = saved;
});

/** 70 tracks of 12-value summaries (a few duplicates and a silent one), 1 to 6 windows each. */
function catalogue() {
  const dim = 12;
  const r = seededRandom(5);
  const vs = Array.from({ length: 70 }, () => Array.from({ length: dim }, () => r() * 4 - 2 + 10));
  vs[9] = [...vs[3]];
  vs[40] = [...vs[3]];
  vs[22] = Array(dim).fill(0);
  const db = vectorCatalogue(vs.map((v, i) => ({ artist: `a${i}`, title: `t${i}`, v })));
  vs.forEach((v, i) => {
    const rows = 1 + ((i * 5) % 6);
    const w = Float32Array.from({ length: rows * dim }, (_, p) => (p < dim ? v[p] : v[p % dim] + r() * 3 - 1.5));
    putFeature(db, i + 1, 'timbre_windows', { rows, cols: dim, data: w }, FEATURES_VERSION, 'h');
  });
  return db;
}

describe('cosine topK (yasr similarity)', () => {
  const db = catalogue();
  const keep = 8;
  for (const windows of ['timbre_windows', 'none']) {
    for (const standardize of ['zscore', 'none'] as const) {
      it(`equals the model's rows and bestK: windows ${windows}, standardize ${standardize}`, () => {
        const params = normalizeParams({ method: 'cosine', windows, standardize });
        const { entries } = analysedTracks(db, cosine.reads(params));
        expect(entries).toHaveLength(70);
        const model = cosine.model(db, params, entries);
        const want = new Map(
          entries.map((e, i) => {
            const row = model.row(i);
            const pick = (o: 'similarity' | 'distance') => bestK(row, keep, o, (j) => j === i).map((j) => ({ trackId: entries[j].trackId, score: row[j] }));
            return [e.trackId, { nearest: pick('similarity'), farthest: pick('distance') }];
          }),
        );
        for (const s of backendStatus().filter((x) => x.loaded)) {
          process.env.YASR_TENSOR_BACKEND = s.name;
          const got = cosine.topK!(db, params, entries, keep)!;
          expect(got.size, s.name).toBe(70);
          for (const [id, l] of want) expect(got.get(id), `${s.name}, track ${id}`).toEqual(l);
        }
        // the silent track, plain cosine: 0 with everything, so its nearest are at 0
        if (windows === 'none' && standardize === 'none') expect(want.get(23)!.nearest.map((e) => e.score)).toEqual(Array(keep).fill(0));
      });
    }
  }
});
