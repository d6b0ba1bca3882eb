/**
 * One figure: a title, a plot area with axes, and optionally a colour bar on the right. Plot
 * contents are drawn by a callback, clipped to the plot area, with the axes' scales.
 */
import { drawAxes, FONT_FAMILY, linearScale, linearTicks, tickTarget, type AxisSpec, type Rect, type Scale } from './axes.js';
import type { ColourMap } from './colour-maps.js';
import { heatmapPng, type Aggregate } from './raster-image.js';
import { SvgBuilder } from './svg-builder.js';
import type { Matrix } from '../dsp/matrix.js';

export interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ColourBarSpec {
  cmap: ColourMap;
  vmin: number;
  vmax: number;
  label: string;
}

export interface FigureOptions {
  width: number;
  height: number;
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  margin?: Partial<Margins>;
  colourBar?: ColourBarSpec;
  /** Distance of the rotated y label from the plot's left edge (default 48). */
  yLabelOffset?: number;
}

/** A finished figure and where its data lies in it (tests and the web page map data to pixels). */
export interface Figure {
  svg: string;
  width: number;
  height: number;
  plot: Rect;
  x: Scale;
  y: Scale;
}

export type DrawPlot = (svg: SvgBuilder, plot: Rect, x: Scale, y: Scale) => void;

/** Shorten `s` to about `maxChars` characters with an ellipsis. */
export function fitText(s: string, maxChars: number): string {
  const chars = [...s];
  return chars.length <= maxChars ? s : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}

export function figureLayout(o: Pick<FigureOptions, 'width' | 'height' | 'margin' | 'colourBar'>): Rect {
  const m: Margins = { left: 70, right: o.colourBar ? 100 : 24, top: 40, bottom: 52, ...o.margin };
  const w = Math.round(o.width - m.left - m.right);
  const h = Math.round(o.height - m.top - m.bottom);
  if (w < 16 || h < 16) throw new Error(`figure ${o.width} x ${o.height} leaves no room for the plot`);
  return { x: Math.round(m.left), y: Math.round(m.top), w, h };
}

/** Draw a figure; `decorate` adds what lies outside the plot area (a legend under the title). */
export function drawFigure(o: FigureOptions, draw: DrawPlot, decorate?: (svg: SvgBuilder, plot: Rect) => void): Figure {
  const plot = figureLayout(o);
  const x = linearScale(o.x.domain, [plot.x, plot.x + plot.w]);
  const y = linearScale(o.y.domain, [plot.y + plot.h, plot.y]);
  const svg = new SvgBuilder(o.width, o.height, { 'font-family': FONT_FAMILY });
  svg.rect(0, 0, o.width, o.height, { fill: '#fff' });
  svg.text(o.width / 2, 25, fitText(o.title, Math.floor(o.width / 9)), { 'text-anchor': 'middle', 'font-size': 15, class: 'title' });
  svg.open('defs').open('clipPath', { id: 'plot-area' }).rect(plot.x, plot.y, plot.w, plot.h).close('clipPath').close('defs');
  svg.group({ class: 'plot', 'clip-path': 'url(#plot-area)' }, (g) => draw(g, plot, x, y));
  drawAxes(svg, plot, { spec: o.x, scale: x }, { spec: o.y, scale: y }, o.yLabelOffset);
  if (o.colourBar) drawColourBar(svg, plot, o.colourBar);
  decorate?.(svg, plot);
  return { svg: svg.toString(), width: o.width, height: o.height, plot, x, y };
}

/** A vertical colour bar right of the plot: low values at the bottom, ticks and label right. */
export function drawColourBar(svg: SvgBuilder, plot: Rect, c: ColourBarSpec): void {
  const bar: Rect = { x: plot.x + plot.w + 14, y: plot.y, w: 14, h: plot.h };
  const steps = { rows: bar.h, cols: 1, data: new Float32Array(bar.h) };
  for (let i = 0; i < bar.h; i++) steps.data[i] = c.vmin + ((c.vmax - c.vmin) * (i + 0.5)) / bar.h;
  svg.pngImage(bar.x, bar.y, bar.w, bar.h, heatmapPng(steps, { width: bar.w, height: bar.h, origin: 'lower', vmin: c.vmin, vmax: c.vmax, cmap: c.cmap, aggregate: 'mean' }));
  const scale = linearScale([c.vmin, c.vmax], [bar.y + bar.h, bar.y]);
  const ticks = c.vmax > c.vmin ? linearTicks(c.vmin, c.vmax, tickTarget(bar.h, 40)) : [];
  svg.group({ class: 'colour-bar', stroke: '#000', 'stroke-width': 1, fill: 'none' }, (g) => {
    g.rect(bar.x + 0.5, bar.y + 0.5, bar.w - 1, bar.h - 1);
    for (const t of ticks) {
      const py = Math.round(scale.toPixel(t.at)) + 0.5;
      g.line(bar.x + bar.w, py, bar.x + bar.w + 4, py);
    }
  });
  svg.group({ 'font-size': 11, fill: '#222' }, (g) => {
    for (const t of ticks) g.text(bar.x + bar.w + 7, scale.toPixel(t.at) + 4, t.label);
  });
  const cx = bar.x + bar.w + 62;
  const cy = bar.y + bar.h / 2;
  svg.text(cx, cy, c.label, { 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 ${cx.toFixed(1)} ${cy.toFixed(1)})` });
}

export interface HeatmapOptions extends FigureOptions {
  colourBar: ColourBarSpec;
  /** [rows, cols]: rows along y, columns along x; each cell spans one unit of its axis's domain. */
  matrix: Matrix;
  origin: 'lower' | 'upper';
  aggregate: Aggregate;
  /** Extra drawing over the cells (group separators, marks). */
  overlay?: DrawPlot;
}

/** A matrix drawn as an image filling the plot area (librosa.display.specshow's picture). */
export function heatmapFigure(o: HeatmapOptions): Figure {
  return drawFigure(o, (svg, plot, x, y) => {
    const png = heatmapPng(o.matrix, { width: plot.w, height: plot.h, origin: o.origin, vmin: o.colourBar.vmin, vmax: o.colourBar.vmax, cmap: o.colourBar.cmap, aggregate: o.aggregate });
    svg.pngImage(plot.x, plot.y, plot.w, plot.h, png);
    o.overlay?.(svg, plot, x, y);
  });
}
