/**
 * A track's audio for its pictures: the signal the features stage analyses (decoded, trimmed
 * and excerpted by the same code) and, for the waveform, the whole decoded track with its
 * librosa trim.
 */
import type { Db } from '../store/db.js';
import { getTrack, type Track } from '../store/tracks.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { decodeAnalysedSignal, type AnalysedSignal } from '../pipeline/analyze-track.js';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from '../pipeline/feature-options.js';
import { YasrError } from '../errors.js';

export interface WholeTrack {
  /** Mono samples at sr from the start of the file (at most options.maxSeconds). */
  y: Float32Array;
  /** The file is longer than what was decoded. */
  truncated: boolean;
  /** librosa.effects.trim(top_db=60, frame_length=2048, hop_length=512) of y; [0, n] with trim 'none'. */
  trim: [number, number];
}

export interface TrackAudio {
  track: Track;
  sr: number;
  options: FeatureOptions;
  /** What the features stage analyses. */
  analysed: AnalysedSignal;
  /** Seconds into the file where analysed.y starts. */
  analysedStart: number;
  whole?: WholeTrack;
}

/** The feature options a picture follows: the features stage's defaults, trim and excerpt overridable. */
export function plotFeatureOptions(o: Partial<Pick<FeatureOptions, 'trim' | 'excerpt'>> = {}): FeatureOptions {
  return { ...DEFAULT_FEATURE_OPTIONS, ...(o.trim ? { trim: o.trim } : {}), ...(o.excerpt ? { excerpt: o.excerpt } : {}) };
}

export function trackOrThrow(db: Db, trackId: number): Track {
  const t = getTrack(db, trackId);
  if (!t) throw new YasrError('NOT_FOUND', `no track #${trackId}`);
  if (!t.localPath) throw new YasrError('NOT_FOUND', `track #${t.id} has no audio file (its download failed or is pending)`);
  return t;
}

/** Decode what the pictures need; decoding errors are one line naming the file. */
export async function loadTrackAudio(
  db: Db,
  trackId: number,
  a: { tools: FfmpegTools; options?: FeatureOptions; whole?: boolean },
): Promise<TrackAudio> {
  const track = trackOrThrow(db, trackId);
  const options = a.options ?? plotFeatureOptions();
  const file = track.localPath!;
  const analysed = await decodeAnalysedSignal(a.tools.ffmpeg, file, track.duration, options);
  const analysedStart = analysed.offset + analysed.start / options.sr;
  let whole: WholeTrack | undefined;
  if (a.whole) {
    // the analysed signal was cut from the whole file, decoded once
    const y = analysed.decoded;
    const truncated = track.duration !== null && track.duration > y.length / options.sr + 1;
    whole = { y, truncated, trim: analysed.trim };
  }
  return { track, sr: options.sr, options, analysed, analysedStart, whole };
}
