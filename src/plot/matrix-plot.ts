/**
 * The similarity heat map of a method: every analysed track against every other, rows and
 * columns in the same order (grouped by album, or by average-linkage clustering), coloured so
 * that the closest pairs are always the bright end of viridis (reversed for distances).
 */
import type { Db } from '../store/db.js';
import { getTrack, type Track } from '../store/tracks.js';
import { denseMatrix, type DenseMatrix } from '../pipeline/similarity/dense.js';
import type { SimilarityParams } from '../pipeline/similarity/methods.js';
import { badParameter, YasrError } from '../errors.js';
import { indexTicks, type Rect, type Tick } from './axes.js';
import type { SvgBuilder } from './svg-builder.js';
import { colourMap } from './colour-maps.js';
import { drawFigure, fitText, heatmapFigure, type Figure, type FigureOptions } from './figure.js';
import { averageLinkageOrder } from './cluster-order.js';
import { svgToPng } from './rasterise.js';
import type { PlotFormat } from './track-plots.js';

export const MATRIX_ORDERS = ['album', 'cluster'] as const;
export type MatrixOrder = (typeof MATRIX_ORDERS)[number];

export interface MatrixPlotOptions extends SimilarityParams {
  order: MatrixOrder;
  format: PlotFormat;
  /** Pixels (default 920 x 732: a 640-pixel square of cells). */
  width?: number;
  height?: number;
}

export const MATRIX_PLOT_SIZE = { width: 920, height: 732 };
/** Up to this many tracks the cells are SVG rects with a tooltip naming the pair; above, a raster. */
export const MAX_RECT_CELLS = 60;
const MARGIN = { left: 190, right: 100, top: 40, bottom: 52 };

export function parseMatrixOrder(v: string): MatrixOrder {
  if (!(MATRIX_ORDERS as readonly string[]).includes(v)) throw badParameter('order', v, "'album' or 'cluster'");
  return v as MatrixOrder;
}

/** The dense matrix of a method drawn as PNG or SVG bytes. */
export function renderMatrixPlot(db: Db, o: MatrixPlotOptions): Buffer {
  parseMatrixOrder(o.order);
  if (o.format !== 'png' && o.format !== 'svg') throw badParameter('format', o.format, "'png' or 'svg'");
  const m = denseMatrix(db, o);
  if (m.n === 0) throw new YasrError('NOT_FOUND', `no analysed tracks for ${o.method}: run "yasr features" first`);
  const tracks = m.trackIds.map((id) => getTrack(db, id)!);
  const f = matrixFigure(m, tracks, { order: o.order, width: o.width, height: o.height });
  return o.format === 'svg' ? Buffer.from(f.svg, 'utf8') : svgToPng(f.svg);
}

const albumOf = (t: Track) => t.album ?? '(no album)';
const nameOf = (t: Track) => (t.artist || t.title ? `${t.artist ?? '?'} - ${t.title ?? '?'}` : `#${t.id}`);

/** Display position -> index into the matrix: by album (then artist, title, id) or by clustering. */
export function matrixOrder(m: DenseMatrix, tracks: Track[], order: MatrixOrder): number[] {
  const idx = tracks.map((_, i) => i);
  if (order === 'album') {
    const key = (t: Track) => [t.album === null ? 1 : 0, albumOf(t).toLowerCase(), (t.artist ?? '').toLowerCase(), (t.title ?? '').toLowerCase()] as const;
    return idx.sort((a, b) => {
      const ka = key(tracks[a]);
      const kb = key(tracks[b]);
      for (let k = 0; k < ka.length; k++) {
        if (ka[k] !== kb[k]) return ka[k] < kb[k] ? -1 : 1;
      }
      return tracks[a].id - tracks[b].id;
    });
  }
  const n = m.n;
  let dist: Float32Array = m.data;
  if (m.orientation === 'similarity') {
    let max = -Infinity;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] > max) max = m.data[i];
    dist = new Float32Array(m.data.length);
    for (let i = 0; i < dist.length; i++) dist[i] = max - m.data[i];
  }
  return averageLinkageOrder(dist, n);
}

/** Runs of equal album along the order: [start, end) positions. */
function albumGroups(tracks: Track[], order: number[]): { start: number; end: number; label: string }[] {
  const out: { start: number; end: number; label: string }[] = [];
  order.forEach((k, pos) => {
    const label = albumOf(tracks[k]);
    const last = out[out.length - 1];
    if (last && last.label === label) last.end = pos + 1;
    else out.push({ start: pos, end: pos + 1, label });
  });
  return out;
}

export interface MatrixFigure extends Figure {
  /** Display position -> row of the dense matrix. */
  order: number[];
}

export function matrixFigure(m: DenseMatrix, tracks: Track[], o: { order: MatrixOrder; width?: number; height?: number }): MatrixFigure {
  const width = o.width ?? MATRIX_PLOT_SIZE.width;
  const height = o.height ?? MATRIX_PLOT_SIZE.height;
  const n = m.n;
  const order = matrixOrder(m, tracks, o.order);
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = m.data[order[i] * n + order[j]];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo < hi)) [lo, hi] = [lo - 1, lo + 1];
  const method = String(m.params.method);
  const similarity = m.orientation === 'similarity';
  const cbar = {
    cmap: colourMap('viridis', !similarity),
    vmin: lo,
    vmax: hi,
    label: similarity ? `${method} similarity (higher = closer)` : `${method} distance (lower = closer)`,
  };
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const plotW = width - MARGIN.left - MARGIN.right;
  const groups = o.order === 'album' ? albumGroups(tracks, order) : [];
  let yTicks: Tick[];
  if (o.order === 'album') {
    yTicks = [];
    let lastPx = -Infinity;
    for (const g of groups) {
      const at = (g.start + g.end - 1) / 2;
      const px = (at + 0.5) * (plotH / n);
      if (px - lastPx >= 13) {
        yTicks.push({ at, label: fitText(g.label, 26) });
        lastPx = px;
      }
    }
  } else if (plotH / n >= 11) {
    yTicks = order.map((k, pos) => ({ at: pos, label: fitText(nameOf(tracks[k]), 26) }));
  } else {
    yTicks = indexTicks(n, plotH, 16);
  }
  const fo: FigureOptions & { colourBar: typeof cbar } = {
    width,
    height,
    title: `Similarity matrix: ${method}, ${n} tracks, ordered by ${o.order === 'album' ? 'album' : 'average-linkage clustering'}`,
    margin: MARGIN,
    colourBar: cbar,
    // the rotated y label clears the longest tick label (about 6.5 px a character at 11 px)
    yLabelOffset: Math.min(MARGIN.left - 14, Math.max(40, 20 + 6.5 * Math.max(0, ...yTicks.map((t) => [...t.label].length)))),
    x: { domain: [-0.5, n - 0.5], ticks: indexTicks(n, plotW, 36), label: 'track (position in this order)' },
    y: { domain: [n - 0.5, -0.5], ticks: yTicks, label: o.order === 'album' ? 'album' : 'track' },
  };
  const separators = (svg: SvgBuilder, plot: Rect) => {
    if (groups.length < 2) return;
    svg.group({ stroke: '#fff', 'stroke-width': 1, 'stroke-opacity': 0.8, class: 'album-separators' }, (g) => {
      for (const grp of groups.slice(1)) {
        const px = plot.x + (grp.start / n) * plot.w;
        const py = plot.y + (grp.start / n) * plot.h;
        g.line(px, plot.y, px, plot.y + plot.h);
        g.line(plot.x, py, plot.x + plot.w, py);
      }
    });
  };
  if (n <= MAX_RECT_CELLS) {
    const fig = drawFigure(fo, (svg, plot) => {
      const cw = plot.w / n;
      const ch = plot.h / n;
      const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
      svg.group({ class: 'cells', 'shape-rendering': 'crispEdges' }, (g) => {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const v = data[i * n + j];
            const title = `${nameOf(tracks[order[i]])} | ${nameOf(tracks[order[j]])}: ${fmt(v)}`;
            g.rectWithTitle(plot.x + j * cw, plot.y + i * ch, cw + 0.05, ch + 0.05, { fill: cbar.cmap.hex((v - lo) / (hi - lo)) }, title);
          }
        }
      });
      separators(svg, plot);
    });
    return { ...fig, order };
  }
  const fig = heatmapFigure({ ...fo, matrix: { rows: n, cols: n, data }, origin: 'upper', aggregate: 'mean', overlay: separators });
  return { ...fig, order };
}
