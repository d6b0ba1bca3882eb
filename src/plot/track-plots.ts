/**
 * A track's pictures, as a librosa.display user draws them: the waveform with the trimmed
 * silence and the analysed excerpt marked, the analysed (trimmed, excerpted) signal, and the
 * STFT, mel, MFCC and chroma of that signal computed by src/dsp (the features stage's code and
 * parameters: n_fft 2048, hop 512, 128 Slaney mel bands, 20 MFCCs, 12 chroma bins).
 */
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { analyzeSignal, ANALYSIS_DEFAULTS, type AnalysisResult } from '../dsp/analyze.js';
import { melFrequencies, hzToMel, powerToDb } from '../dsp/mel.js';
import type { Matrix } from '../dsp/matrix.js';
import type { FeatureOptions } from '../pipeline/feature-options.js';
import { badParameter } from '../errors.js';
import { indexTicks, linearTicks, melHzTicks, PITCH_CLASS_NAMES, tickTarget, type AxisSpec, type Scale, type Rect } from './axes.js';
import { colourMap } from './colour-maps.js';
import { drawFigure, figureLayout, heatmapFigure, type Figure, type FigureOptions } from './figure.js';
import { loadTrackAudio, plotFeatureOptions, type TrackAudio } from './track-audio.js';
import { svgToPng } from './rasterise.js';
import type { SvgBuilder } from './svg-builder.js';

import { TRACK_PLOT_KINDS, type TrackPlotKind } from './kinds.js';

export { TRACK_PLOT_KINDS, type TrackPlotKind };

export const KIND_TITLES: Record<TrackPlotKind, string> = {
  waveform: 'waveform',
  trimmed: 'trimmed excerpt (the analysed signal)',
  stft: 'STFT power spectrogram',
  mel: 'mel spectrogram',
  mfcc: 'MFCC',
  chroma: 'chromagram',
};

export type PlotFormat = 'png' | 'svg';

export interface TrackPlotOptions {
  format: PlotFormat;
  /** Pixels (default 1000 x 420). */
  width?: number;
  height?: number;
  tools: FfmpegTools;
  /** Trim and excerpt as the features stage would use them (default: its defaults). */
  features?: Partial<Pick<FeatureOptions, 'trim' | 'excerpt'>>;
}

export const TRACK_PLOT_SIZE = { width: 1000, height: 420 };

export function parseTrackPlotKind(v: string): TrackPlotKind {
  if (!(TRACK_PLOT_KINDS as readonly string[]).includes(v)) throw badParameter('kind', v, `one of ${TRACK_PLOT_KINDS.join(', ')}`);
  return v as TrackPlotKind;
}

export function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || width < 200 || width > 8000) throw badParameter('width', width, 'an integer from 200 to 8000');
  if (!Number.isInteger(height) || height < 150 || height > 8000) throw badParameter('height', height, 'an integer from 150 to 8000');
}

/** One picture of a track as PNG or SVG bytes. */
export async function renderTrackPlot(db: Db, trackId: number, kind: TrackPlotKind, o: TrackPlotOptions): Promise<Buffer> {
  return (await renderTrackPlots(db, trackId, [kind], o)).get(parseTrackPlotKind(kind))!;
}

/** Several pictures of a track from one decode and one analysis. */
export async function renderTrackPlots(db: Db, trackId: number, kinds: readonly TrackPlotKind[], o: TrackPlotOptions): Promise<Map<TrackPlotKind, Buffer>> {
  for (const k of kinds) parseTrackPlotKind(k);
  if (o.format !== 'png' && o.format !== 'svg') throw badParameter('format', o.format, "'png' or 'svg'");
  const size = { width: o.width ?? TRACK_PLOT_SIZE.width, height: o.height ?? TRACK_PLOT_SIZE.height };
  checkSize(size.width, size.height);
  const audio = await loadTrackAudio(db, trackId, { tools: o.tools, options: plotFeatureOptions(o.features), whole: kinds.includes('waveform') });
  const analysis = lazyAnalysis(audio, kinds.includes('stft'));
  const out = new Map<TrackPlotKind, Buffer>();
  for (const k of kinds) {
    const f = trackFigure(audio, k, size, analysis);
    out.set(k, o.format === 'svg' ? Buffer.from(f.svg, 'utf8') : svgToPng(f.svg));
  }
  return out;
}

/** The analysis of the analysed signal, computed on first use. */
export function lazyAnalysis(audio: TrackAudio, keepStft: boolean): () => AnalysisResult {
  let r: AnalysisResult | undefined;
  return () => (r ??= analyzeSignal(audio.analysed.y, { sr: audio.sr, keepStft, keepMel: true }));
}

/** "Artist - Title" (or the file name) and the kind. */
export function trackPlotTitle(audio: TrackAudio, kind: TrackPlotKind): string {
  const t = audio.track;
  const name = t.artist || t.title ? `${t.artist ?? '?'} - ${t.title ?? '?'}` : path.basename(t.localPath ?? `#${t.id}`);
  return `${name}: ${KIND_TITLES[kind]}`;
}

/** The figure of one kind (pure: the audio is already decoded). */
export function trackFigure(audio: TrackAudio, kind: TrackPlotKind, size: { width: number; height: number }, analysis = lazyAnalysis(audio, kind === 'stft')): Figure {
  const title = trackPlotTitle(audio, kind);
  switch (kind) {
    case 'waveform':
      return waveformFigure(audio, size, title);
    case 'trimmed':
      return trimmedFigure(audio, size, title);
    default:
      return spectralFigure(audio, kind, size, title, analysis());
  }
}

const WAVE_FILL = '#1f77b4';

/** Min/max envelope of y per pixel column, as a closed path (librosa.display.waveshow's picture). */
function drawEnvelope(svg: SvgBuilder, plot: Rect, x: Scale, y: Scale, samples: Float32Array, t0: number, sr: number): void {
  if (samples.length === 0) return;
  const top: string[] = [];
  const bottom: string[] = [];
  for (let px = 0; px < plot.w; px++) {
    // the samples whose time falls in this pixel column
    const tA = t0 + ((px / plot.w) * (x.domain[1] - x.domain[0]));
    const tB = t0 + (((px + 1) / plot.w) * (x.domain[1] - x.domain[0]));
    const a = Math.max(0, Math.floor((tA - t0) * sr));
    const b = Math.min(samples.length, Math.max(a + 1, Math.floor((tB - t0) * sr)));
    if (a >= samples.length) break;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b; i++) {
      const v = samples[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const cx = plot.x + px;
    top.push(`${cx} ${y.toPixel(hi).toFixed(1)}`, `${cx + 1} ${y.toPixel(hi).toFixed(1)}`);
    bottom.push(`${cx + 1} ${y.toPixel(lo).toFixed(1)}`, `${cx} ${y.toPixel(lo).toFixed(1)}`);
  }
  svg.path(`M${top.join('L')}L${bottom.reverse().join('L')}Z`, { fill: WAVE_FILL, stroke: 'none', class: 'waveform' });
}

function amplitudeAxis(samples: Float32Array, plotH: number): AxisSpec {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]);
    if (a > peak) peak = a;
  }
  const A = peak > 0 ? peak * 1.1 : 1;
  return { domain: [-A, A], ticks: linearTicks(-A, A, tickTarget(plotH, 40)), label: 'Amplitude' };
}

function timeAxis(t0: number, t1: number, plotW: number, label = 'Time (s)'): AxisSpec {
  return { domain: [t0, t1], ticks: linearTicks(t0, t1, tickTarget(plotW, 80)), label };
}

export const TRIMMED_SHADE = { fill: '#000', opacity: 0.18 };
export const EXCERPT_COLOUR = '#ff7f0e';

function waveformFigure(audio: TrackAudio, size: { width: number; height: number }, title: string): Figure {
  const whole = audio.whole!;
  const sr = audio.sr;
  const seconds = whole.y.length / sr;
  const base: Omit<FigureOptions, 'x' | 'y'> = { ...size, title, margin: { top: 58 } };
  const plot = figureLayout(base);
  const exA = audio.analysedStart;
  const exB = exA + audio.analysed.y.length / sr;
  const [tA, tB] = [whole.trim[0] / sr, whole.trim[1] / sr];
  const o: FigureOptions = {
    ...base,
    x: timeAxis(0, Math.max(seconds, 1 / sr), plot.w, whole.truncated ? `Time (s; the first ${seconds.toFixed(0)} s)` : 'Time (s)'),
    y: amplitudeAxis(whole.y, plot.h),
  };
  const trimNote = audio.options.trim === 'librosa'
    ? `shaded: silence trimmed (librosa trim, 60 dB): kept ${tA.toFixed(2)}-${tB.toFixed(2)} s`
    : 'no trimming';
  const exNote = `orange: analysed excerpt ${exA.toFixed(2)}-${exB.toFixed(2)} s`;
  return drawFigure(o, (svg, p, x, y) => {
    // the analysed excerpt: a tinted band with solid edges
    svg.rect(x.toPixel(exA), p.y, x.toPixel(exB) - x.toPixel(exA), p.h, { fill: EXCERPT_COLOUR, 'fill-opacity': 0.16, class: 'excerpt' });
    drawEnvelope(svg, p, x, y, whole.y, 0, sr);
    svg.line(p.x, y.toPixel(0), p.x + p.w, y.toPixel(0), { stroke: '#555', 'stroke-width': 0.5 });
    // trimmed silence: shaded outside [tA, tB]
    if (whole.trim[1] > whole.trim[0]) {
      svg.group({ class: 'trimmed', fill: TRIMMED_SHADE.fill, 'fill-opacity': TRIMMED_SHADE.opacity }, (g) => {
        if (tA > 0) g.rect(p.x, p.y, x.toPixel(tA) - p.x, p.h);
        if (tB < seconds) g.rect(x.toPixel(tB), p.y, p.x + p.w - x.toPixel(tB), p.h);
      });
      svg.group({ stroke: '#333', 'stroke-width': 1, 'stroke-dasharray': '4 3' }, (g) => {
        for (const t of [tA, tB]) g.line(x.toPixel(t), p.y, x.toPixel(t), p.y + p.h);
      });
    }
    svg.group({ stroke: EXCERPT_COLOUR, 'stroke-width': 1.5 }, (g) => {
      for (const t of [exA, exB]) g.line(x.toPixel(t), p.y, x.toPixel(t), p.y + p.h);
    });
  }, (svg, p) => svg.text(p.x, 47, `${trimNote}; ${exNote}`, { 'font-size': 12, fill: '#333', class: 'legend' }));
}

function trimmedFigure(audio: TrackAudio, size: { width: number; height: number }, title: string): Figure {
  const y = audio.analysed.y;
  const t0 = audio.analysedStart;
  const t1 = t0 + Math.max(1, y.length) / audio.sr;
  const plot = figureLayout(size);
  return drawFigure({ ...size, title, x: timeAxis(t0, t1, plot.w, 'Time in the file (s)'), y: amplitudeAxis(y, plot.h) }, (svg, p, x, ys) => {
    drawEnvelope(svg, p, x, ys, y, t0, audio.sr);
    svg.line(p.x, ys.toPixel(0), p.x + p.w, ys.toPixel(0), { stroke: '#555', 'stroke-width': 0.5 });
  });
}

/** power_to_db(S, ref=max, top_db=80): librosa's examples' picture of a power spectrogram. */
function dbRelMax(S: Matrix): Matrix {
  return powerToDb(S, { ref: 'max', amin: 1e-10, topDb: 80 });
}

function range(m: Matrix): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** The y axis of each spectral kind: rows are equal cells, so the domain is in cell units of its own scale. */
export function spectralYAxis(kind: 'stft' | 'mel' | 'mfcc' | 'chroma', sr: number, rows: number, plotH: number): AxisSpec {
  switch (kind) {
    case 'stft': {
      const df = sr / ANALYSIS_DEFAULTS.nFft;
      return { domain: [-df / 2, (rows - 0.5) * df], ticks: linearTicks(0, sr / 2, tickTarget(plotH, 36)), label: 'Frequency (Hz)' };
    }
    case 'mel': {
      // band b is centred on mel_frequencies(n_mels + 2)[b + 1], evenly spaced in mel
      const pts = melFrequencies(rows + 2, 0, sr / 2).map((f) => hzToMel(f));
      const step = pts[1] - pts[0];
      const domain: [number, number] = [pts[1] - step / 2, pts[rows] + step / 2];
      return { domain, ticks: melHzTicks(0, sr / 2, plotH / (domain[1] - domain[0])), label: 'Frequency (Hz, mel scale)' };
    }
    case 'mfcc':
      return { domain: [-0.5, rows - 0.5], ticks: indexTicks(rows, plotH), label: 'MFCC coefficient' };
    case 'chroma':
      return { domain: [-0.5, rows - 0.5], ticks: indexTicks(rows, plotH, 12, PITCH_CLASS_NAMES), label: 'Pitch class' };
  }
}

function spectralFigure(audio: TrackAudio, kind: 'stft' | 'mel' | 'mfcc' | 'chroma', size: { width: number; height: number }, title: string, r: AnalysisResult): Figure {
  let m: Matrix;
  let cbar: { cmap: ReturnType<typeof colourMap>; vmin: number; vmax: number; label: string };
  switch (kind) {
    case 'stft': {
      const mag = r.stft_mag!;
      const p = new Float32Array(mag.data.length);
      for (let i = 0; i < p.length; i++) p[i] = mag.data[i] * mag.data[i];
      m = dbRelMax({ rows: mag.rows, cols: mag.cols, data: p });
      cbar = { cmap: colourMap('magma'), vmin: -80, vmax: 0, label: 'dB (re max)' };
      break;
    }
    case 'mel':
      m = dbRelMax(r.mel!);
      cbar = { cmap: colourMap('magma'), vmin: -80, vmax: 0, label: 'dB (re max)' };
      break;
    case 'mfcc': {
      m = r.mfcc;
      const [lo, hi] = range(m);
      cbar = { cmap: colourMap('viridis'), vmin: lo, vmax: hi, label: 'MFCC value' };
      break;
    }
    case 'chroma':
      m = r.chroma;
      cbar = { cmap: colourMap('magma'), vmin: 0, vmax: 1, label: 'chroma (frame maximum = 1)' };
      break;
  }
  const base = { ...size, title, colourBar: cbar };
  const plot = figureLayout(base);
  const hop = ANALYSIS_DEFAULTS.hopLength;
  const t0 = audio.analysedStart;
  return heatmapFigure({
    ...base,
    x: timeAxis(t0, t0 + (m.cols * hop) / audio.sr, plot.w, 'Time in the file (s)'),
    y: spectralYAxis(kind, audio.sr, m.rows, plot.h),
    matrix: m,
    origin: 'lower',
    aggregate: kind === 'stft' || kind === 'mel' ? 'max' : 'mean',
  });
}
