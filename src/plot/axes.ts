/**
 * Axes: data-to-pixel scales, tick choice (1-2-5 steps for linear axes; Hz labels at
 * mel-spaced positions for a mel axis; names for pitch classes) and drawing them around a plot
 * area.
 */
import { hzToMel } from '../dsp/mel.js';
import type { SvgBuilder } from './svg-builder.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A linear map from a data interval onto a pixel interval (y pixels grow downwards). */
export interface Scale {
  domain: [number, number];
  range: [number, number];
  toPixel(v: number): number;
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [p0, p1] = range;
  const k = d1 !== d0 ? (p1 - p0) / (d1 - d0) : 0;
  return { domain, range, toPixel: (v) => p0 + (v - d0) * k };
}

/** One tick: a position in the axis's data coordinate and its label. */
export interface Tick {
  at: number;
  label: string;
}

export interface AxisSpec {
  /** Data interval shown, [low, high] (left to right, bottom to top). */
  domain: [number, number];
  ticks: Tick[];
  label: string;
}

/** A 1, 2 or 5 times a power of ten step near range / target. */
export function niceStep(range: number, target: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/** Labels for values on a grid of `step`: enough decimals for the step, no "-0". */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Ticks at multiples of a nice step inside [min, max], about `target` of them. */
export function linearTicks(min: number, max: number, target = 6): Tick[] {
  if (!(max > min)) return [{ at: min, label: formatTick(min, 1) }];
  const step = niceStep(max - min, target);
  const out: Tick[] = [];
  const eps = step * 1e-9;
  for (let k = Math.ceil((min - eps) / step); k * step <= max + eps; k++) {
    const v = k * step || 0; // never -0
    out.push({ at: v, label: formatTick(v, step) });
  }
  return out;
}

/** How many ticks fit along `pixels` when each needs `spacing` pixels. */
export function tickTarget(pixels: number, spacing: number): number {
  return Math.max(2, Math.floor(pixels / spacing));
}

/**
 * A mel axis labelled in Hz: the data coordinate is mel (Slaney, as librosa's filter bank);
 * candidate ticks are 0 and powers of two from 64 Hz (librosa.display's mel axis labels), kept
 * from the top down while they stay `minSpacing` pixels apart.
 */
export function melHzTicks(fmin: number, fmax: number, pixelsPerMel: number, minSpacing = 22): Tick[] {
  const candidates = [0];
  for (let f = 64; f <= fmax; f *= 2) candidates.push(f);
  const inside = candidates.filter((f) => f >= fmin && f <= fmax).reverse();
  const kept: Tick[] = [];
  let last = Infinity;
  for (const f of inside) {
    const m = hzToMel(f);
    if ((last - m) * pixelsPerMel >= minSpacing || last === Infinity) {
      kept.push({ at: m, label: String(f) });
      last = m;
    }
  }
  return kept.reverse();
}

/** librosa.display's chroma labels, C at the bottom. */
export const PITCH_CLASS_NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

/** Ticks at integer cells 0..n-1 (cell k spans [k - 0.5, k + 0.5]), every `every`-th labelled. */
export function indexTicks(n: number, pixels: number, minSpacing = 14, names?: string[]): Tick[] {
  let every = 1;
  for (const e of [1, 2, 5, 10, 20, 50, 100]) {
    every = e;
    if ((pixels / n) * e >= minSpacing) break;
  }
  const out: Tick[] = [];
  for (let k = 0; k < n; k += every) out.push({ at: k, label: names ? names[k] : String(k) });
  return out;
}

export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';
const TICK = 5;

/** The frame of the plot area, x ticks and label below it, y ticks and label on its left. */
export function drawAxes(svg: SvgBuilder, plot: Rect, x: { spec: AxisSpec; scale: Scale } | null, y: { spec: AxisSpec; scale: Scale } | null, yLabelOffset = 48): void {
  svg.group({ class: 'axes', stroke: '#000', 'stroke-width': 1, fill: 'none' }, (g) => {
    g.rect(plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1);
    if (x) for (const t of x.spec.ticks) {
      const px = Math.round(x.scale.toPixel(t.at)) + 0.5;
      if (px < plot.x - 1 || px > plot.x + plot.w + 1) continue;
      g.line(px, plot.y + plot.h, px, plot.y + plot.h + TICK);
    }
    if (y) for (const t of y.spec.ticks) {
      const py = Math.round(y.scale.toPixel(t.at)) + 0.5;
      if (py < plot.y - 1 || py > plot.y + plot.h + 1) continue;
      g.line(plot.x - TICK, py, plot.x, py);
    }
  });
  svg.group({ class: 'tick-labels', 'font-size': 11, fill: '#222' }, (g) => {
    if (x) for (const t of x.spec.ticks) {
      const px = x.scale.toPixel(t.at);
      if (px < plot.x - 1 || px > plot.x + plot.w + 1) continue;
      g.text(px, plot.y + plot.h + TICK + 12, t.label, { 'text-anchor': 'middle' });
    }
    if (y) for (const t of y.spec.ticks) {
      const py = y.scale.toPixel(t.at);
      if (py < plot.y - 1 || py > plot.y + plot.h + 1) continue;
      g.text(plot.x - TICK - 3, py + 4, t.label, { 'text-anchor': 'end' });
    }
  });
  svg.group({ class: 'axis-labels', 'font-size': 13, fill: '#000' }, (g) => {
    if (x) g.text(plot.x + plot.w / 2, plot.y + plot.h + 38, x.spec.label, { 'text-anchor': 'middle' });
    if (y) {
      const cx = plot.x - yLabelOffset;
      const cy = plot.y + plot.h / 2;
      g.text(cx, cy, y.spec.label, { 'text-anchor': 'middle', transform: `rotate(-90 ${cx.toFixed(1)} ${cy.toFixed(1)})` });
    }
  });
}
