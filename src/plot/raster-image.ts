/**
 * A matrix drawn as pixels: resampled to exactly the plot area's size (so the picture is
 * drawn pixel for pixel, without smoothing) and coloured through a colour map.
 */
import type { Matrix } from '../dsp/matrix.js';
import type { ColourMap } from './colour-maps.js';
import { encodePng } from './png-encode.js';

/** How cells that share one pixel are combined. */
export type Aggregate = 'max' | 'mean';

/**
 * The cells [lo, hi) that pixel p of `size` covers along an axis of n cells: every cell it
 * overlaps when cells are smaller than pixels, else the one cell under the pixel's centre.
 */
export function cellSpan(p: number, size: number, n: number): [number, number] {
  if (n >= size) {
    const lo = Math.floor((p * n) / size);
    return [lo, Math.max(lo + 1, Math.min(n, Math.ceil(((p + 1) * n) / size)))];
  }
  const c = Math.min(n - 1, Math.floor(((p + 0.5) * n) / size));
  return [c, c + 1];
}

export interface HeatmapRaster {
  /** Pixels, left to right. */
  width: number;
  /** Pixels, top to bottom. */
  height: number;
  /** Matrix row 0 at the bottom (origin lower, like librosa.display.specshow) or the top. */
  origin: 'lower' | 'upper';
  vmin: number;
  vmax: number;
  cmap: ColourMap;
  aggregate: Aggregate;
}

/** RGB pixels of matrix m (rows = y, columns = x), as a PNG. */
export function heatmapPng(m: Matrix, o: HeatmapRaster): Buffer {
  const { width, height } = o;
  const px = new Uint8Array(width * height * 3);
  const cols = Array.from({ length: width }, (_, x) => cellSpan(x, width, m.cols));
  const span = o.vmax - o.vmin;
  const lut = o.cmap.lut;
  for (let y = 0; y < height; y++) {
    const [r0, r1] = cellSpan(o.origin === 'lower' ? height - 1 - y : y, height, m.rows);
    for (let x = 0; x < width; x++) {
      const [c0, c1] = cols[x];
      let acc = o.aggregate === 'max' ? -Infinity : 0;
      let n = 0;
      for (let r = r0; r < r1; r++) {
        const base = r * m.cols;
        for (let c = c0; c < c1; c++) {
          const v = m.data[base + c];
          if (Number.isNaN(v)) continue;
          if (o.aggregate === 'max') {
            if (v > acc) acc = v;
          } else acc += v;
          n++;
        }
      }
      const v = o.aggregate === 'mean' ? acc / Math.max(1, n) : acc;
      const t = span > 0 ? (v - o.vmin) / span : 0.5;
      const i = !(t > 0) ? 0 : t >= 1 ? 255 : Math.round(t * 255);
      const q = (y * width + x) * 3;
      px[q] = lut[3 * i];
      px[q + 1] = lut[3 * i + 1];
      px[q + 2] = lut[3 * i + 2];
    }
  }
  return encodePng(width, height, px, 3);
}
