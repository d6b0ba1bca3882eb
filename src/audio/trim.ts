/**
 * Silence trimming and excerpt selection.
 */
import { badParameter } from '../errors.js';
import { rmsFromSignal } from '../dsp/spectral.js';

export interface TrimOptions {
  /** Threshold in dB below the loudest frame's RMS. Default 60. */
  topDb: number;
  /** RMS frame length in samples. Default 2048. */
  frameLength: number;
  /** Hop between RMS frames in samples. Default 512. */
  hopLength: number;
}

/**
 * librosa.effects.trim(y, top_db, frame_length, hop_length) 0.10.1, returning only the
 * interval: [start, end) in samples. Frame RMS via the signal route (centred frames, zero
 * padding), amplitude_to_db(rms, ref=max(rms), amin=1e-5); frames with db > -topDb are
 * non-silent; start = first * hop, end = min(n, (last + 1) * hop). Without non-silent frames
 * the interval is [0, 0]. (An all-zero signal is *not* such a case: its reference is clamped to
 * amin, so every frame sits at 0 dB and the whole signal is kept, as librosa does.)
 */
export function trimInterval(y: Float32Array, opts: Partial<TrimOptions> = {}): [number, number] {
  const topDb = opts.topDb ?? 60;
  const frameLength = opts.frameLength ?? 2048;
  const hopLength = opts.hopLength ?? 512;
  if (!(topDb >= 0) || !Number.isFinite(topDb)) throw badParameter('topDb', topDb, 'a non-negative number');
  const rms = rmsFromSignal(y, { frameLength, hopLength, center: true }).data;
  const T = rms.length;
  const amin = 1e-5;
  let ref = 0;
  for (let t = 0; t < T; t++) if (rms[t] > ref) ref = rms[t];
  // power_to_db(rms^2, ref=ref^2, amin=amin^2)
  const aminP = amin * amin;
  const refDb = 10 * Math.log10(Math.max(aminP, ref * ref));
  let first = -1;
  let last = -1;
  for (let t = 0; t < T; t++) {
    const p = rms[t] * rms[t];
    const db = 10 * Math.log10(Math.max(aminP, p)) - refDb;
    if (db > -topDb) {
      if (first < 0) first = t;
      last = t;
    }
  }
  if (first < 0) return [0, 0];
  return [first * hopLength, Math.min(y.length, (last + 1) * hopLength)];
}

/**
 * The centred excerpt of `seconds` seconds: y.subarray(start, start + round(seconds * sr)) with
 * start = floor((n - length) / 2); the whole signal (same array) when it is not longer than that.
 * Returns a view, not a copy.
 */
export function centralExcerpt(y: Float32Array, seconds: number, sr: number): Float32Array {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw badParameter('seconds', seconds, 'a positive number');
  if (!(sr > 0) || !Number.isFinite(sr)) throw badParameter('sr', sr, 'a positive sample rate');
  const len = Math.round(seconds * sr);
  if (y.length <= len) return y;
  const start = Math.floor((y.length - len) / 2);
  return y.subarray(start, start + len);
}
