/** The features command's options: which feature groups a run analyses (featureOptionsFrom). */
import { describe, expect, it } from 'vitest';
import { featureOptionsFrom } from '../../../src/cli/commands/features.js';
import { DEFAULT_FEATURE_OPTIONS, FEATURE_GROUPS, featureParamsHash } from '../../../src/pipeline/feature-options.js';

const base = { trim: 'librosa' as const, excerpt: 30, keep: [] };

describe('yasr features: feature groups', () => {
  it('the default groups when none is named; --supervector adds the supervector group to them (a new parameter set)', () => {
    expect(featureOptionsFrom(base).groups).toEqual(DEFAULT_FEATURE_OPTIONS.groups);
    expect(DEFAULT_FEATURE_OPTIONS.groups).not.toContain('supervector');
    const sv = featureOptionsFrom({ ...base, supervector: true });
    expect(sv.groups).toEqual([...DEFAULT_FEATURE_OPTIONS.groups, 'supervector']);
    expect(featureParamsHash(sv)).not.toBe(featureParamsHash(featureOptionsFrom(base)));
    expect(featureOptionsFrom({ ...base, mfcc: true, supervector: true }).groups).toEqual(['mfcc', 'supervector']);
    expect(featureOptionsFrom({ ...base, all: true }).groups).toEqual([...FEATURE_GROUPS]);
  });

  it('refuses the supervector without the mfcc group (its frames come from that pass), in one line', () => {
    expect(() => featureOptionsFrom({ ...base, chroma: true, supervector: true })).toThrow(
      'invalid feature groups: ["chroma","supervector"] (expected each one of mfcc, mel, chroma, spectral, descriptors, supervector; supervector only with mfcc)',
    );
  });
});
