import { badParameter } from '../errors.js';
import { paramsHash } from '../util/hash.js';
import { TIMBRE_SV } from './similarity/defaults.js';

/**
 * Bumped whenever code changes that alter stored feature values; every track's features are
 * then pending again.
 */
export const FEATURES_VERSION = 10;

/**
 * Feature groups. 'supervector' (not a default group) adds `timbre_sv` to the mfcc group's
 * features: the GMM mean supervector that `timbre --supervector` reads (about 130 ms a 3-minute
 * track, 7 % of its analysis, and 10 kB; benchmarks/RESULTS.md, "The GMM mean supervector"); it
 * needs the mfcc group.
 */
export const FEATURE_GROUPS = ['mfcc', 'mel', 'chroma', 'spectral', 'descriptors', 'supervector'] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

/** What a list of feature groups must be (the CLI and nightly definitions share the check). */
export const GROUPS_EXPECTED = `each one of ${FEATURE_GROUPS.join(', ')}; supervector only with mfcc`;

/** Whether `groups` is a valid list of feature groups (see GROUPS_EXPECTED). */
export function validGroups(groups: unknown): groups is FeatureGroup[] {
  return (
    Array.isArray(groups) &&
    groups.every((g) => (FEATURE_GROUPS as readonly unknown[]).includes(g)) &&
    (!groups.includes('supervector') || groups.includes('mfcc'))
  );
}

/**
 * The stored feature each opt-in group (one not in DEFAULT_FEATURE_OPTIONS.groups) adds: a track
 * that has it was analysed with the group (`yasr evaluate --variants` analyses the copies with the
 * opt-in groups every analysed track has).
 */
export const OPT_IN_GROUP_FEATURES: Readonly<Partial<Record<FeatureGroup, string>>> = { supervector: TIMBRE_SV };

export const KEEPABLE = ['stft', 'mel'] as const;

export interface FeatureOptions {
  sr: number;
  /** 'librosa': librosa.effects.trim(top_db=60, frame_length=2048, hop_length=512); 'none': no trim. */
  trim: 'librosa' | 'none';
  /** Seconds of central excerpt, or 'full'. */
  excerpt: number | 'full';
  groups: FeatureGroup[];
  keep: ('stft' | 'mel')[];
  /** Longest stretch analysed with --excerpt full (seconds); keeps memory bounded. */
  maxSeconds: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  sr: 22050,
  trim: 'librosa',
  excerpt: 30,
  // mel_db (128 x frames, 660 kB per 30 s) only on request: --mel or --all
  groups: ['mfcc', 'chroma', 'spectral', 'descriptors'],
  keep: [],
  maxSeconds: 1800,
};

export function parseExcerpt(v: string): number | 'full' {
  if (v === 'full') return 'full';
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw badParameter('--excerpt', v, "a positive number of seconds or 'full'");
  return n;
}

export function parseTrim(v: string): 'librosa' | 'none' {
  if (v === 'none' || v === 'librosa') return v;
  throw badParameter('--trim', v, "'librosa' or 'none'");
}

export function parseKeep(v: string): ('stft' | 'mel')[] {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!(KEEPABLE as readonly string[]).includes(p)) throw badParameter('--keep', v, 'a comma list of stft, mel');
  return parts as ('stft' | 'mel')[];
}

/** The hash that keys feature checkpoints: same options and version = nothing to do. */
export function featureParamsHash(o: FeatureOptions): string {
  return paramsHash({ v: FEATURES_VERSION, ...o, groups: [...o.groups].sort(), keep: [...o.keep].sort() });
}
