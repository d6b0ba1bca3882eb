/** Definitions, units and ranges of every descriptor, for `--help` and the README. */
import type { Descriptors } from './compute.js';

export interface DescriptorDoc {
  /** Human-readable name. */
  name: string;
  /** Unit ('' for dimensionless). */
  unit: string;
  /** Range of values. */
  range: string;
  /** How it is computed. */
  definition: string;
}

export const DESCRIPTOR_DOCS: Record<keyof Descriptors, DescriptorDoc> = {
  tempo: {
    name: 'Tempo',
    unit: 'BPM',
    range: '0 (no periodic onsets), else 30..320',
    definition:
      'Onset strength (librosa 0.10.1 onset_strength: mel-dB spectral flux, lag 1, mean over 128 bands) -> mean ' +
      'autocorrelation tempogram (8 s Hann windows) weighted by a log-normal prior centred at 120 BPM, std 1 ' +
      'octave (librosa feature.tempo), then refined to a fractional beat period from the tempogram peak and its ' +
      'multiples. Octave errors (half/double tempo) are possible, as with librosa.',
  },
  tempoConfidence: {
    name: 'Tempo confidence',
    unit: '',
    range: '0..1',
    definition:
      'Mean-removed autocorrelation of the (lightly smoothed) onset envelope at the estimated beat period, ' +
      'normalised by its lag-0 value: 1 for a perfectly periodic pulse, ~0 for noise or silence.',
  },
  key: {
    name: 'Key',
    unit: 'pitch class',
    range: 'C, C#, D, D#, E, F, F#, G, G#, A, A#, B',
    definition:
      'Tonic of the best of 24 Pearson correlations between the mean chroma vector (chroma_stft, frames ' +
      'max-normalised) and the rotated Albrecht-Shanahan (2013) major/minor profiles. C when undetermined.',
  },
  mode: {
    name: 'Mode',
    unit: '',
    range: 'major | minor',
    definition: 'Mode of the best-correlating key profile (major when undetermined).',
  },
  keyConfidence: {
    name: 'Key confidence',
    unit: '',
    range: '0..1',
    definition: 'The winning correlation coefficient, clamped at 0 (0 for silence or flat chroma).',
  },
  loudness: {
    name: 'Integrated loudness',
    unit: 'LUFS',
    range: '-70..~0 (-70 is the floor: silence, empty input, everything below the absolute gate)',
    definition:
      'ITU-R BS.1770-4 integrated loudness of the mono signal: K-weighting designed for the actual sample rate ' +
      '(bilinear transform of the BS.1770 shelf + RLB high-pass), 400 ms blocks with 75 % overlap, absolute ' +
      'gate -70 LUFS, relative gate -10 LU. A full-scale 997 Hz sine reads -3.01 LUFS at 48 kHz and -2.98 ' +
      'at 22050 Hz (bilinear warping of the shelf). Clips under 400 ms are measured as one block.',
  },
  energy: {
    name: 'Energy',
    unit: '',
    range: '0..1',
    definition:
      'L * (0.55 + 0.15 C + 0.15 B + 0.15 R) with L = clamp((loudness + 40) / 32) (-40 LUFS -> 0, -8 LUFS -> 1), ' +
      'C = 1 - clamp(dynamicRange / 20 LU) (compressed, dense), B = clamp(onsetRate / 8 per s) (busy), ' +
      'R = clamp(spectralCentroid / 3000 Hz) (bright). Loudness gates the rest: silence -> 0.',
  },
  danceability: {
    name: 'Danceability (rhythmic strength)',
    unit: '',
    range: '0..1',
    definition:
      'Pulse clarity: the largest mean-removed, lag-0-normalised autocorrelation of the whole onset envelope at ' +
      'beat periods of 60..180 BPM. High only when onsets recur at one steady period through the clip; ' +
      'irregular onsets and tempo drift both lower it. Not Spotify\'s model.',
  },
  spectralCentroid: {
    name: 'Spectral centroid',
    unit: 'Hz',
    range: '0..sr/2',
    definition:
      'Mean over sounding frames (within 60 dB of the loudest) of librosa spectral_centroid(S=|STFT|). 0 for silence.',
  },
  spectralRolloff: {
    name: 'Spectral roll-off (85 %)',
    unit: 'Hz',
    range: '0..sr/2',
    definition:
      'Mean over sounding frames of librosa spectral_rolloff(S=|STFT|, roll_percent=0.85): lowest frequency ' +
      'below which 85 % of the frame\'s magnitude lies. 0 for silence.',
  },
  spectralFlatness: {
    name: 'Spectral flatness',
    unit: '',
    range: '0..1 (tones ~0, white noise ~1)',
    definition:
      'Mean over sounding frames of librosa spectral_flatness(S=|STFT|, power=2, amin=1e-10): geometric over ' +
      'arithmetic mean of the power spectrum. 0 for silence.',
  },
  onsetRate: {
    name: 'Onset rate',
    unit: 'onsets/s',
    range: '>= 0 (at most ~22 at 22050 Hz, hop 512)',
    definition:
      'Number of onsets from librosa 0.10.1 onset_detect peak picking on the onset envelope (scaled so that ' +
      'its 95th percentile is 1, not its maximum, so one strong transient does not rescale the rest; pre_max 30 ms, post_max 0 ms, pre_avg/post_avg 100 ms, wait 30 ms, delta 0.07), keeping peaks whose raw strength is at least 0.5 (mean dB rise over the mel bands, ' +
      'so the ripple of sustained tones does not count), divided by duration.',
  },
  dynamicRange: {
    name: 'Dynamic range (loudness range)',
    unit: 'LU (dB)',
    range: '>= 0 (0 for clips under 3 s and silence)',
    definition:
      'EBU Tech 3342 loudness range: short-term loudness (K-weighted, 3 s windows every 0.1 s), absolute gate ' +
      '-70 LUFS, relative gate -20 LU, then the 95th minus the 10th percentile.',
  },
  duration: {
    name: 'Duration',
    unit: 's',
    range: '>= 0',
    definition: 'Number of samples divided by the sample rate.',
  },
};
