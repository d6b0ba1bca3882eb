/**
 * What the features method compares of a stored descriptor vector (src/pipeline/similarity/
 * descriptor-view.ts), against values worked out here from the stored layout's definitions
 * (src/dsp/descriptors/vector.ts), and the revision that keeps lists of the earlier comparison
 * from being read as current.
 */
import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_VECTOR_NAMES, descriptorVector } from '../../../src/dsp/descriptors/vector.js';
import type { Descriptors } from '../../../src/dsp/descriptors/index.js';
import { COMPARED_DESCRIPTORS, DESCRIPTOR_VIEW, LEFT_OUT_DESCRIPTORS, STORED_DESCRIPTORS, compareDescriptors, viewRows } from '../../../src/pipeline/similarity/descriptor-view.js';
import { spaceOf } from '../../../src/pipeline/similarity/vector-model.js';
import { hashOf, normalizeParams } from '../../../src/pipeline/similarity/methods.js';
import { openDb } from '../../../src/store/db.js';
import { findSets, getOrCreateSet } from '../../../src/store/similarity.js';
import { pipelineStatus } from '../../../src/pipeline/status.js';

/** A descriptor record with everything but what a test sets at neutral values. */
function record(d: Partial<Descriptors>): Descriptors {
  return {
    tempo: 120, tempoConfidence: 1, key: 'C', mode: 'major', keyConfidence: 1, loudness: -14, energy: 0.5, danceability: 0.5,
    spectralCentroid: 2000, spectralRolloff: 4000, spectralFlatness: 0.1, onsetRate: 3, dynamicRange: 8, duration: 30,
    ...d,
  } as Descriptors;
}

const compared = (d: Partial<Descriptors>) => {
  const out = new Float64Array(COMPARED_DESCRIPTORS.length);
  compareDescriptors(descriptorVector(record(d)), out);
  return out;
};
const at = (name: (typeof COMPARED_DESCRIPTORS)[number]) => COMPARED_DESCRIPTORS.indexOf(name);

describe('compareDescriptors', () => {
  it('restates the stored layout, and leaves out the level descriptors and the flatness', () => {
    expect([...STORED_DESCRIPTORS]).toEqual([...DESCRIPTOR_VECTOR_NAMES]);
    expect(COMPARED_DESCRIPTORS).toHaveLength(12);
    for (const l of LEFT_OUT_DESCRIPTORS) expect(COMPARED_DESCRIPTORS as readonly string[]).not.toContain(l);
    // level changes nothing compared
    expect(compared({ loudness: -8, energy: 0.9 })).toEqual(compared({ loudness: -20, energy: 0.1 }));
    // nor does the flatness (a band limit moves it)
    expect(compared({ spectralFlatness: 0.2 })).toEqual(compared({ spectralFlatness: 0.01 }));
    expect(compared({ spectralFlatness: 0.2 })).not.toEqual(compared({ spectralCentroid: 900 }));
  });

  it('puts tempo on a circle of octaves, scaled by its confidence', () => {
    const t120 = compared({ tempo: 120, tempoConfidence: 0.7 });
    for (const t of [60, 240, 30]) {
      const o = compared({ tempo: t, tempoConfidence: 0.7 });
      for (let k = 0; k < o.length; k++) expect(o[k]).toBeCloseTo(t120[k], 12);
    }
    // 90 BPM: log2(90 / 120) of a turn
    const o90 = compared({ tempo: 90, tempoConfidence: 0.7 });
    const turn = Math.log2(90 / 120);
    expect(o90[at('tempo_octave_cos')]).toBeCloseTo(0.7 * Math.cos(2 * Math.PI * turn), 12);
    expect(o90[at('tempo_octave_sin')]).toBeCloseTo(0.7 * Math.sin(2 * Math.PI * turn), 12);
    expect(o90[at('tempo_confidence')]).toBeCloseTo(0.7, 12);
    // half an octave away is the farthest point: 120 and 120 * sqrt(2) are 2 * confidence apart
    const far = compared({ tempo: 120 * Math.SQRT2, tempoConfidence: 1 });
    expect(Math.hypot(far[0] - 1, far[1])).toBeCloseTo(2, 9);
    // no tempo (confidence 0): the origin
    const none = compared({ tempo: 0, tempoConfidence: 0 });
    expect([none[0], none[1], none[2]]).toEqual([0, 0, 0]);
  });

  it("weights the mode by the key's confidence, keeps the key's position and copies the rest", () => {
    const o = compared({ key: 'A', mode: 'minor', keyConfidence: 0.3 });
    expect(o[at('mode_weighted')]).toBeCloseTo(-0.3, 6);
    // A minor sits at C major: position 0 on the circle of fifths
    expect(o[at('key_fifths_cos')]).toBeCloseTo(0.3, 6);
    expect(o[at('key_fifths_sin')]).toBeCloseTo(0, 6);
    expect(compared({ keyConfidence: 0 })[at('mode_weighted')]).toBe(0);
    const stored = descriptorVector(record({ danceability: 0.25, onsetRate: 4 }));
    const c = compared({ danceability: 0.25, onsetRate: 4 });
    for (const name of ['danceability', 'spectral_centroid', 'spectral_rolloff', 'onset_rate', 'dynamic_range', 'duration_log'] as const) {
      expect(c[at(name)]).toBe(stored[STORED_DESCRIPTORS.indexOf(name)]);
    }
  });

  it('copies a vector of another length as it is, and never writes a non-finite value', () => {
    const out = new Float64Array(2);
    compareDescriptors([0.25, -1], out);
    expect([...out]).toEqual([0.25, -1]);
    const bad = Array.from(descriptorVector(record({})));
    bad[7] = Number.NaN;
    const o = new Float64Array(13);
    compareDescriptors(bad, o);
    expect(o.every(Number.isFinite)).toBe(true);
  });

  it('is what a space made through the view holds, for catalogue rows and outside vectors alike', () => {
    const rows = [record({ tempo: 100 }), record({ tempo: 140, mode: 'minor' }), record({ tempo: 70, danceability: 0.9 })].map((d) => Float32Array.from(descriptorVector(d)));
    const raw = new Float64Array(rows.length * 14);
    rows.forEach((r, i) => raw.set(r, i * 14));
    const s = spaceOf(raw, 14, 3, true, false, DESCRIPTOR_VIEW);
    expect(s.dim).toBe(12);
    const direct = spaceOf(viewRows(DESCRIPTOR_VIEW, raw, 14, 3).data, 12, 3, true, false);
    expect([...s.data]).toEqual([...direct.data]);
    // an outside vector equal to a member's stored one lands on that member's row
    expect([...s.transform(rows[1])]).toEqual([...s.data.subarray(12, 24)]);
  });
});

describe('a method revision is part of a result set identity', () => {
  it('features and hybrid name their sets with their revision; a set of the earlier one is reported outdated and not found', () => {
    expect(normalizeParams({ method: 'features' })).toEqual({ method: 'features', standardize: 'zscore', revision: 3 });
    expect(normalizeParams({ method: 'hybrid' }).revision).toBe(5);
    expect(normalizeParams({ method: 'cosine' }).revision).toBeUndefined();
    const db = openDb(':memory:');
    const old = { method: 'features', standardize: 'zscore' };
    const now = normalizeParams({ method: 'features' });
    getOrCreateSet(db, 'features', hashOf(old), old);
    getOrCreateSet(db, 'features', hashOf(now), now);
    getOrCreateSet(db, 'timbre', 'x', { method: 'timbre', feature: 'mfcc_gauss', mp: true });
    const cos = normalizeParams({ method: 'cosine' });
    getOrCreateSet(db, 'cosine', hashOf(cos), cos);
    // hybrid's revision 3 (three parts, before blocks), and the same weights today (blocks 0)
    const h3 = { method: 'hybrid', vector: 'timbre_summary', standardize: 'zscore', weights: [0.5, 0.25, 0.25], revision: 3 };
    getOrCreateSet(db, 'hybrid', hashOf(h3), h3);
    const h4 = normalizeParams({ method: 'hybrid', weights: [0.5, 0.25, 0.25] });
    getOrCreateSet(db, 'hybrid', hashOf(h4), h4);
    expect(pipelineStatus(db).similarity.map((s) => s.outdated)).toEqual([true, false, true, false, true, false]);
    expect(findSets(db, 'features').filter((s) => s.paramsHash === hashOf(now))).toHaveLength(1);
    db.close();
  });
});
