/**
 * The block-level patterns' options and layout (./block-level.ts computes the patterns): what the
 * similarity method that compares them needs, without the FFT and the rest of the analysis.
 */
import { badParameter } from '../errors.js';
import type { Matrix } from './matrix.js';
import { stripUndefined } from './options.js';

export interface BlockLevelOptions {
  /** Frames per second of the spectrogram. Default 22050 / 512. */
  frameRate: number;
  /** Powers below amin count as amin (dB = 10 log10(max(amin, p))). Default 1e-10. */
  amin: number;
  /** dB values are floored at the loudest input power's dB minus topDb. Default 80. */
  topDb: number;
  /**
   * dB relative to the loudest input power (0 dB), so that a gain change moves no pattern (the
   * others are differences, ratios and correlations, unmoved anyway); false: absolute dB (ref 1,
   * as mel_db). Default true.
   */
  levelReference: boolean;
  /** Bands of SP, DSP and VDSP (adjacent input bands grouped). Default 32. */
  bands: number;
  /** Bands of LFP and CP. Default 16. */
  coarseBands: number;
  /** SP: frames per block, hop, percentile (0..1). Default 10, 5, 0.9. */
  spBlock: number;
  spHop: number;
  spPercentile: number;
  /** DSP/VDSP: delta distance in frames, frames per block, hop, DSP's percentile. Default 3, 25, 10 (published: 5), 0.9. */
  dspDelay: number;
  dspBlock: number;
  dspHop: number;
  dspPercentile: number;
  /** LFP: frames per block (a power of two), hop, percentile. Default 512, 128, 0.6. */
  lfpBlock: number;
  lfpHop: number;
  lfpPercentile: number;
  /** LFP: lowest modulation centre (Hz), centres per octave, number of centres. Default 0.5, 4, 20. */
  lfpMinHz: number;
  lfpBinsPerOctave: number;
  lfpBins: number;
  /** CP: frames per block, hop, percentile. Default 256, 128, 0.5. */
  cpBlock: number;
  cpHop: number;
  cpPercentile: number;
  /** SCP: sub-bands (of the input bands), fraction of a sub-band's bands averaged for its peak and its valley. Default 16, 0.125 (1 of 8 mel bands). */
  contrastBands: number;
  contrastAlpha: number;
  /** SCP: frames per block, hop, percentile. Default 40, 20, 0.1. */
  scpBlock: number;
  scpHop: number;
  scpPercentile: number;
}

export const BLOCK_LEVEL_DEFAULTS: BlockLevelOptions = {
  frameRate: 22050 / 512,
  amin: 1e-10,
  topDb: 80,
  levelReference: true,
  bands: 32,
  coarseBands: 16,
  spBlock: 10,
  spHop: 5,
  spPercentile: 0.9,
  dspDelay: 3,
  dspBlock: 25,
  dspHop: 10,
  dspPercentile: 0.9,
  lfpBlock: 512,
  lfpHop: 128,
  lfpPercentile: 0.6,
  lfpMinHz: 0.5,
  lfpBinsPerOctave: 4,
  lfpBins: 20,
  cpBlock: 256,
  cpHop: 128,
  cpPercentile: 0.5,
  contrastBands: 16,
  contrastAlpha: 0.125,
  scpBlock: 40,
  scpHop: 20,
  scpPercentile: 0.1,
};

/** The patterns, in the order they are stored. */
export const BLOCK_PATTERN_NAMES = ['sp', 'dsp', 'vdsp', 'lfp', 'cp', 'scp'] as const;
export type BlockPatternName = (typeof BLOCK_PATTERN_NAMES)[number];

/** Every pattern of one spectrogram (shapes in the module comment). */
export type BlockPatterns = Record<BlockPatternName, Matrix>;

/** Where a pattern lies in the flattened vector. */
export interface PatternSlice {
  name: BlockPatternName;
  offset: number;
  length: number;
  rows: number;
  cols: number;
}

const INTEGER_OPTIONS = ['bands', 'coarseBands', 'spBlock', 'spHop', 'dspDelay', 'dspBlock', 'dspHop', 'lfpBlock', 'lfpHop', 'lfpBinsPerOctave', 'lfpBins', 'cpBlock', 'cpHop', 'contrastBands', 'scpBlock', 'scpHop'] as const;
const PERCENTILE_OPTIONS = ['spPercentile', 'dspPercentile', 'lfpPercentile', 'cpPercentile', 'scpPercentile'] as const;

/** Defaults filled in and every option checked (a bad one is a BAD_PARAMETER quoting it). */
export function resolveBlockLevelOptions(opts: Partial<BlockLevelOptions> = {}): BlockLevelOptions {
  const o = { ...BLOCK_LEVEL_DEFAULTS, ...stripUndefined(opts) };
  for (const k of INTEGER_OPTIONS) if (!Number.isInteger(o[k]) || o[k] < 1) throw badParameter(k, o[k], 'a positive integer');
  for (const k of PERCENTILE_OPTIONS) if (!(o[k] >= 0 && o[k] <= 1)) throw badParameter(k, o[k], 'a number from 0 to 1');
  if (!(o.frameRate > 0) || !Number.isFinite(o.frameRate)) throw badParameter('frameRate', o.frameRate, 'a positive number of frames per second');
  if (!(o.amin > 0) || !Number.isFinite(o.amin)) throw badParameter('amin', o.amin, 'a positive number');
  if (!(o.topDb >= 0) || !Number.isFinite(o.topDb)) throw badParameter('topDb', o.topDb, 'a number of dB >= 0');
  if (typeof o.levelReference !== 'boolean') throw badParameter('levelReference', o.levelReference, 'true or false');
  if (o.lfpBlock < 4 || (o.lfpBlock & (o.lfpBlock - 1)) !== 0) throw badParameter('lfpBlock', o.lfpBlock, 'a power of two >= 4');
  if (o.coarseBands < 2) throw badParameter('coarseBands', o.coarseBands, 'an integer >= 2 (CP correlates pairs of bands)');
  if (!(o.contrastAlpha > 0 && o.contrastAlpha <= 0.5)) throw badParameter('contrastAlpha', o.contrastAlpha, 'a fraction in (0, 0.5]');
  const top = o.lfpMinHz * 2 ** ((o.lfpBins - 1) / o.lfpBinsPerOctave);
  if (!(o.lfpMinHz > 0) || !(top < o.frameRate / 2)) {
    throw badParameter('lfpMinHz', o.lfpMinHz, `a positive frequency whose highest centre (${top.toFixed(3)} Hz) stays below half the frame rate (${(o.frameRate / 2).toFixed(3)} Hz)`);
  }
  return o;
}

/** Each pattern's place and shape in the flattened vector (stored as `block_patterns`). */
export function blockPatternLayout(opts: Partial<BlockLevelOptions> = {}): PatternSlice[] {
  const o = resolveBlockLevelOptions(opts);
  const shapes: Record<BlockPatternName, [number, number]> = {
    sp: [o.bands, o.spBlock],
    dsp: [o.bands, o.dspBlock],
    vdsp: [o.bands, o.dspBlock],
    lfp: [o.coarseBands, o.lfpBins],
    cp: [1, (o.coarseBands * (o.coarseBands - 1)) / 2],
    scp: [o.contrastBands, o.scpBlock],
  };
  let offset = 0;
  return BLOCK_PATTERN_NAMES.map((name) => {
    const [rows, cols] = shapes[name];
    const s = { name, offset, length: rows * cols, rows, cols };
    offset += rows * cols;
    return s;
  });
}

