/**
 * SVG to PNG with resvg (@resvg/resvg-js: a prebuilt binary from an npm optional dependency).
 * resvg draws text only with a font it has loaded: yasr loads one font file (YASR_PLOT_FONT,
 * else DejaVu Sans or Liberation Sans where Debian puts them), which is much faster than
 * scanning the system's fonts; only when none of those exists are the system fonts scanned.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { YasrError } from '../errors.js';

export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

/** The font file text is drawn with, or null when resvg must search the system's fonts. */
export function plotFontFile(): string | null {
  const env = process.env.YASR_PLOT_FONT;
  if (env) {
    if (!existsSync(env)) throw new YasrError('BAD_PARAMETER', `YASR_PLOT_FONT: no such font file: ${env}`);
    return env;
  }
  return FONT_CANDIDATES.find((f) => existsSync(f)) ?? null;
}

interface ResvgModule {
  Resvg: new (svg: string | Buffer, options?: Record<string, unknown>) => { render(): { asPng(): Buffer; width: number; height: number } };
}

let resvg: ResvgModule | undefined;

function loadResvg(): ResvgModule {
  if (resvg) return resvg;
  try {
    resvg = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
    return resvg;
  } catch (err) {
    throw new YasrError(
      'INTERNAL',
      `cannot load @resvg/resvg-js for PNG output (${(err as Error).message.split('\n')[0]}): reinstall yasr's npm dependencies, or write .svg instead`,
    );
  }
}

/** The family names of the fonts yasr knows by file name (others keep resvg's defaults). */
function familyOf(file: string): { defaultFontFamily?: string; sansSerifFamily?: string } {
  const family = /DejaVuSans/i.test(file) ? 'DejaVu Sans' : /Liberation/i.test(file) ? 'Liberation Sans' : /arial/i.test(file) ? 'Arial' : undefined;
  return family ? { defaultFontFamily: family, sansSerifFamily: family } : {};
}

/** Rasterise an SVG document at its own size (one SVG unit = one pixel). */
export function svgToPng(svg: string): Buffer {
  const { Resvg } = loadResvg();
  const font = plotFontFile();
  const r = new Resvg(svg, {
    fitTo: { mode: 'original' },
    imageRendering: 1, // embedded cells are already at pixel size: never smooth them
    font: font ? { loadSystemFonts: false, fontFiles: [font], ...familyOf(font) } : { loadSystemFonts: true },
    logLevel: 'off',
  });
  return r.render().asPng();
}
