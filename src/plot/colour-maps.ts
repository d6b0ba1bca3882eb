/**
 * Perceptual colour maps computed from published control points: matplotlib's viridis and
 * magma (Smith and van der Walt, CC0), sampled at 0, 32, ..., 224, 255 of their 256-entry
 * tables. Between control points colours are interpolated in OKLab (a perceptually uniform
 * space), so the ramp stays smooth and monotone in lightness like the originals.
 */

export const COLOUR_MAP_NAMES = ['viridis', 'magma'] as const;
export type ColourMapName = (typeof COLOUR_MAP_NAMES)[number];

export const CONTROL_POINTS: Record<ColourMapName, readonly string[]> = {
  viridis: ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'],
  magma: ['#000004', '#1d1147', '#51127c', '#832681', '#b73779', '#e75263', '#fc8961', '#fec488', '#fcfdbf'],
};

export type Rgb = [number, number, number];

export interface ColourMap {
  name: string;
  /** 256 colours, r g b bytes each: lut[3 i .. 3 i + 2] is the colour of i / 255. */
  lut: Uint8Array;
  /** The colour of t in [0, 1] (clamped; NaN gives the lowest colour). */
  at(t: number): Rgb;
  /** The same as a CSS hex colour. */
  hex(t: number): string;
}

export function parseHex(h: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(h);
  if (!m) throw new Error(`not a #rrggbb colour: ${h}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex(c: Rgb): string {
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

const toLinear = (v: number) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const fromLinear = (c: number) => {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(v * 255)));
};

/** sRGB bytes to OKLab (Björn Ottosson, 2020). */
export function rgbToOklab([r8, g8, b8]: Rgb): [number, number, number] {
  const r = toLinear(r8);
  const g = toLinear(g8);
  const b = toLinear(b8);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

export function oklabToRgb([L, A, B]: [number, number, number]): Rgb {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  return [
    fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

const cache = new Map<string, ColourMap>();

/** A colour map by name; `reversed` runs it from its last colour to its first. */
export function colourMap(name: ColourMapName, reversed = false): ColourMap {
  const key = `${name}${reversed ? '_r' : ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const labs = CONTROL_POINTS[name].map((h) => rgbToOklab(parseHex(h)));
  if (reversed) labs.reverse();
  const segments = labs.length - 1;
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const u = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(u));
    const f = u - k;
    const a = labs[k];
    const b = labs[k + 1];
    const c = oklabToRgb([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
    lut.set(c, 3 * i);
  }
  const at = (t: number): Rgb => {
    const i = lutIndex(t);
    return [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];
  };
  const map: ColourMap = { name: key, lut, at, hex: (t) => toHex(at(t)) };
  cache.set(key, map);
  return map;
}

/** The LUT entry of t in [0, 1]. */
export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return 255;
  return Math.round(t * 255);
}
