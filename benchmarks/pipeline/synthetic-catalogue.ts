/**
 * A synthetic analysed catalogue for scale benchmarks: N tracks with metadata, 30 s of MFCC
 * frames (20 x 1292, smooth random trajectories around a per-artist timbre), their summaries,
 * descriptor vectors and block patterns (3,000 values around a per-artist pattern), all marked analysed with the default feature parameters. No audio: the
 * point is to time what comes after analysis (similarity, recommend, nightly) at scale.
 */
import { timbreUbm } from '../../src/dsp/timbre-ubm.js';
import { createHash } from 'node:crypto';
import type { Db } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { DEFAULT_FEATURE_OPTIONS, FEATURES_VERSION, featureParamsHash } from '../../src/pipeline/feature-options.js';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { summaryVector, windowSummaries } from '../../src/dsp/summary.js';
import { descriptorVector, PITCH_CLASSES, type Descriptors } from '../../src/dsp/descriptors/index.js';
import { rng } from '../../src/demo/synth.js';
import { fitGaussian } from '../../src/similarity/gaussian.js';
import { withDeltas } from '../../src/dsp/delta.js';
import { blockPatternLayout } from '../../src/dsp/block-layout.js';

/** Values of a block_patterns vector. */
const BLOCK_VALUES = blockPatternLayout().reduce((s, p) => s + p.length, 0);

export function fakeMfcc(rand: () => number, base: Float64Array, frames = 1292): Float32Array {
  const d = 20;
  const out = new Float32Array(d * frames); // [20, frames], librosa layout
  const state = new Float64Array(d);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < d; k++) {
      state[k] = 0.95 * state[k] + (rand() - 0.5) * (k === 0 ? 20 : 6);
      out[k * frames + t] = base[k] + state[k];
    }
  }
  return out;
}

/**
 * `supervectors`: also store `timbre_sv` (what `timbre --supervector` reads): an artist's base
 * vector plus noise, from a stream of its own (so everything else is what it is without them),
 * not fitted to the fake MFCCs: cheap at any size (2,560 values, 10 kB a track).
 */
export function buildSyntheticCatalogue(db: Db, n: number, opts: { seed?: number; firstId?: number; supervectors?: boolean } = {}): void {
  const rand = rng(opts.seed ?? 7);
  const hash = featureParamsHash(DEFAULT_FEATURE_OPTIONS);
  const artists = Math.max(1, Math.round(n / 8));
  const bases = Array.from({ length: artists }, () => Float64Array.from({ length: 20 }, (_, k) => (k === 0 ? -200 + rand() * 100 : (rand() - 0.5) * 60 / (1 + k / 4))));
  // block patterns from a stream of their own, so that everything else is what it was before them
  const blockRand = rng((opts.seed ?? 7) + 1_000_003);
  const blockBases = Array.from({ length: artists }, () => Float32Array.from({ length: BLOCK_VALUES }, () => blockRand() * 10));
  const svRand = rng((opts.seed ?? 7) + 2_000_003);
  // as many values as the timbre UBM gives (components x dimensions)
  const svValues = timbreUbm().k * timbreUbm().d;
  const svBases = opts.supervectors ? Array.from({ length: artists }, () => Float32Array.from({ length: svValues }, () => svRand() - 0.5)) : [];
  const insert = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title, album, release_date, popularity, duration, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id').pluck();
  const src = db.prepare(`INSERT INTO sources (source, kind, track_id, size) VALUES (?, 'file', ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const a = Math.floor(rand() * artists);
      const sha = createHash('sha256').update(`synthetic-${opts.seed ?? 7}-${i}`).digest('hex');
      const file = `/synthetic/${sha}.ogg`;
      const month = 1 + Math.floor(rand() * 12);
      const id = insert.get(sha, file, `Artist ${a}`, `Track ${i}`, `Album ${a}-${i % 3}`, `2025-${String(month).padStart(2, '0')}-15`, Math.floor(rand() * 101), 180, 3_000_000) as number;
      src.run(file, id, 3_000_000);
      const mfcc = fakeMfcc(rand, bases[a]);
      putFeature(db, id, 'mfcc', { rows: 20, cols: 1292, data: mfcc }, FEATURES_VERSION, hash);
      const sv = summaryVector({ rows: 20, cols: 1292, data: mfcc });
      putFeature(db, id, 'mfcc_summary', { rows: 1, cols: sv.length, data: sv }, FEATURES_VERSION, hash);
      // the similarity vectors (level-referenced; synthetic MFCCs have no level to remove)
      putFeature(db, id, 'timbre_summary', { rows: 1, cols: sv.length, data: sv }, FEATURES_VERSION, hash);
      // cosine's default windows (30 s every 10 s) of a 4-minute track: 22 rows
      const long = fakeMfcc(rand, bases[a], 10336);
      const w = windowSummaries({ rows: 20, cols: 10336, data: long }, 1292, 431);
      putFeature(db, id, 'timbre_windows', w, FEATURES_VERSION, hash);
      const g = fitGaussian(mfcc, 20, 1292);
      putFeature(db, id, 'timbre_gauss', { rows: 1, cols: g.length, data: g }, FEATURES_VERSION, hash);
      const wd = withDeltas({ rows: 20, cols: 1292, data: mfcc });
      const gd = fitGaussian(wd.data, 40, 1292);
      putFeature(db, id, 'timbre_gauss_delta', { rows: 1, cols: gd.length, data: gd }, FEATURES_VERSION, hash);
      if (opts.supervectors) {
        const tsv = Float32Array.from(svBases[a], (v) => v + 0.5 * (svRand() - 0.5));
        putFeature(db, id, 'timbre_sv', { rows: 1, cols: tsv.length, data: tsv }, FEATURES_VERSION, hash);
      }
      const d: Descriptors = {
        tempo: 60 + rand() * 120, tempoConfidence: rand(), key: PITCH_CLASSES[Math.floor(rand() * 12)], mode: rand() < 0.5 ? 'major' : 'minor',
        keyConfidence: rand(), loudness: -30 + rand() * 25, energy: rand(), danceability: rand(), spectralCentroid: 500 + rand() * 3000,
        spectralRolloff: 1000 + rand() * 6000, spectralFlatness: rand() * 0.3, onsetRate: rand() * 8, dynamicRange: rand() * 15, duration: 30,
      };
      const dv = Float32Array.from(descriptorVector(d));
      putFeature(db, id, 'descriptors', { rows: 1, cols: dv.length, data: dv }, FEATURES_VERSION, hash, d);
      const bp = Float32Array.from(blockBases[a], (v) => v + blockRand() * 3);
      putFeature(db, id, 'block_patterns', { rows: 1, cols: BLOCK_VALUES, data: bp }, FEATURES_VERSION, hash);
      markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: hash, inputSha: sha, status: 'done', ms: 0 });
    }
  })();
}
