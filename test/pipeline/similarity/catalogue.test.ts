import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { putFeature } from '../../../src/store/features.js';
import { FEATURES_VERSION } from '../../../src/pipeline/feature-options.js';
import { LEVEL_REFERENCED_SEQUENCE, levelShift, sequenceOf, storedFeaturesOf } from '../../../src/pipeline/similarity/catalogue.js';
import { analyzeSignal } from '../../../src/dsp/analyze.js';
import { levelReferencedMfcc } from '../../../src/dsp/level-reference.js';
import { summaryVector } from '../../../src/dsp/summary.js';
import { synthTrack } from '../../../src/demo/synth.js';

describe('sequences for dtw/fastdtw', () => {
  it('timbre_mfcc is the stored MFCC with MFCC 0 shifted by the difference of the summaries, frame-major', () => {
    const db = openDb(':memory:');
    const { id } = db.prepare("INSERT INTO tracks (sha256, local_path) VALUES ('s', '/x.wav') RETURNING id").get() as { id: number };
    // 2 coefficients x 3 frames, librosa layout
    putFeature(db, id, 'mfcc', { rows: 2, cols: 3, data: Float32Array.from([-300, -290, -310, 4, 5, 6]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'mfcc_summary', { rows: 1, cols: 4, data: Float32Array.from([-300, 5, 8.16, 0.82]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'timbre_summary', { rows: 1, cols: 4, data: Float32Array.from([-400, 5, 8.16, 0.82]) }, FEATURES_VERSION, 'h');
    expect(Array.from(sequenceOf(db, id, 'mfcc').seq)).toEqual([-300, 4, -290, 5, -310, 6]);
    expect(Array.from(sequenceOf(db, id, LEVEL_REFERENCED_SEQUENCE).seq)).toEqual([-400, 4, -390, 5, -410, 6]);
    expect(storedFeaturesOf(LEVEL_REFERENCED_SEQUENCE)).toEqual(['mfcc', 'mfcc_summary', 'timbre_summary']);
    expect(storedFeaturesOf('mfcc')).toEqual(['mfcc']);
    db.close();
  });

  it('the shift from the summaries is the level reference itself: a copy 6 dB louder gets the same sequence', () => {
    const y = synthTrack({ seconds: 4, bpm: 120, key: 0, mode: 'major', timbre: 'brass' });
    const seqOf = (gain: number) => {
      const r = analyzeSignal(y.map((v) => v * gain));
      const shift = levelShift(summaryVector(r.mfcc), summaryVector(levelReferencedMfcc(r.mfcc, r.mel_db)));
      return Array.from(r.mfcc.data.subarray(0, r.mfcc.cols), (v) => v - shift);
    };
    const a = seqOf(1);
    const b = seqOf(2);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(0.05);
  });
});
