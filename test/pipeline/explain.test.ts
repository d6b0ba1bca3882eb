import { describe, expect, it } from 'vitest';
import { aspects, aspectsText, keyAspect, reasonText, shareBelow, shareOf, shareText } from '../../src/pipeline/explain.js';
import { desc } from '../helpers/vector-catalogue.js';

describe('explain: the aspects compared', () => {
  const q = desc({ tempo: 120.4, key: 'A', mode: 'minor', loudness: -14 });

  it('keys: same 1, relative 0.8 (both ways), a fifth 0.6, parallel 0.5, others 0', () => {
    expect(keyAspect(desc({ key: 'A', mode: 'minor' }), desc({ key: 'A', mode: 'minor' }))).toEqual({ name: 'key', closeness: 1, detail: 'same key A minor' });
    expect(keyAspect(desc({ key: 'C', mode: 'major' }), desc({ key: 'A', mode: 'minor' })).detail).toBe('relative key A minor');
    expect(keyAspect(desc({ key: 'A', mode: 'minor' }), desc({ key: 'C', mode: 'major' })).closeness).toBe(0.8);
    expect(keyAspect(desc({ key: 'A#', mode: 'major' }), desc({ key: 'G', mode: 'minor' })).detail).toBe('relative key G minor');
    expect(keyAspect(desc({ key: 'C', mode: 'major' }), desc({ key: 'G', mode: 'major' })).closeness).toBe(0.6);
    expect(keyAspect(desc({ key: 'G', mode: 'major' }), desc({ key: 'C', mode: 'major' })).closeness).toBe(0.6);
    expect(keyAspect(desc({ key: 'C', mode: 'major' }), desc({ key: 'C', mode: 'minor' }))).toEqual({ name: 'key', closeness: 0.5, detail: 'key C minor vs C major' });
    expect(keyAspect(desc({ key: 'C', mode: 'major' }), desc({ key: 'F#', mode: 'major' })).closeness).toBe(0);
  });

  it('tempo and loudness closeness by their formulas; unknown tempo left out', () => {
    const a = aspects(q, desc({ tempo: 96, key: 'A', mode: 'minor', loudness: -8 }));
    const tempo = a.find((x) => x.name === 'tempo')!;
    expect(tempo.closeness).toBeCloseTo(Math.exp(-Math.abs(Math.log(96 / 120.4)) / 0.08), 12);
    expect(tempo.detail).toBe('96 vs 120 BPM');
    const loud = a.find((x) => x.name === 'loudness')!;
    expect(loud.closeness).toBeCloseTo(Math.exp(-6 / 3), 12);
    expect(loud.detail).toBe('6 dB louder');
    expect(aspects(q, desc({ key: 'A', mode: 'minor', loudness: -17 })).find((x) => x.name === 'loudness')!.detail).toBe('3 dB quieter');
    expect(aspects(desc({ tempo: 0 }), desc({})).some((x) => x.name === 'tempo')).toBe(false);
    expect(aspects(q, undefined)).toEqual([]);
  });

  it('timbre is a percentile among the catalogue, not a threshold on the cosine', () => {
    expect(aspects(undefined, undefined, 0.92)).toEqual([{ name: 'timbre', closeness: 0.92, detail: 'nearer than 92% of the catalogue' }]);
    expect(aspects(undefined, undefined, Number.NaN)).toEqual([]);
    expect(shareBelow([0.1, 0.2, 0.3, 0.4], 0.35)).toBe(0.75);
    expect(shareBelow([0.1, 0.2, 0.3, 0.4], 0.1)).toBe(0);
    expect(shareBelow([], 1)).toBe(0);
    // shareOf: the query's own value (index skip) is not one of the others
    const row = [0.9, 0.1, 1, 0.4, 0.3];
    expect(shareOf(row, 2)(0.35)).toBe(2 / 4);
    expect(shareOf(row, 0)(0.35)).toBe(2 / 4);
    expect(shareOf(row, 4)(0.35)).toBe(1 / 4);
    expect(shareOf(row, 2)(1)).toBe(1);
    expect(shareOf(row)(1)).toBe(4 / 5);
    expect(shareOf(row, 7)(1)).toBe(4 / 5);
    expect(shareOf(Float64Array.from(row), 1)(0.3)).toBe(0);
  });

  it('close aspects nearest first, then what differs most first', () => {
    const text = aspectsText(aspects(q, desc({ tempo: 121, key: 'C', mode: 'major', loudness: -26 }), 0.3));
    expect(text).toBe('close in tempo (121 vs 120 BPM), key (relative key C major); differs in loudness (12 dB quieter), timbre (nearer than 30% of the catalogue)');
  });

  it('the reason leads with the rank by the method among the catalogue', () => {
    expect(shareText(1, 4999)).toBe('0.02%');
    expect(shareText(3, 35)).toBe('8.6%');
    expect(shareText(20, 35)).toBe('57%');
    const r = reasonText({ method: 'hybrid', rank: 1, of: 4999 }, q, desc({ tempo: 120, key: 'A', mode: 'minor', loudness: -14 }), 0.1);
    expect(r).toBe('#1 of 4,999 by hybrid (top 0.02%); close in key (same key A minor), loudness (same loudness), tempo (120 vs 120 BPM); differs in timbre (nearer than 10% of the catalogue)');
    expect(reasonText({ method: 'dtw' }, undefined, undefined)).toBe('');
  });
});
