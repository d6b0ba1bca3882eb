import { describe, it, expect } from 'vitest';
import { colourMap, CONTROL_POINTS, parseHex, rgbToOklab } from '../../src/plot/colour-maps.js';
import { escapeXml, SvgBuilder } from '../../src/plot/svg-builder.js';
import { linearTicks, melHzTicks } from '../../src/plot/axes.js';
import { encodePng } from '../../src/plot/png-encode.js';
import { cellSpan } from '../../src/plot/raster-image.js';
import { svgToPng } from '../../src/plot/rasterise.js';
import { hzToMel } from '../../src/dsp/mel.js';
import { checkWellFormedXml, decodePng, pixel } from './png-decode.js';

describe('plot building blocks', () => {
  it('computes viridis and magma through their control points, monotone in lightness', () => {
    for (const name of ['viridis', 'magma'] as const) {
      const cm = colourMap(name);
      const pts = CONTROL_POINTS[name];
      pts.forEach((h, k) => {
        const want = parseHex(h);
        const got = cm.at(k / (pts.length - 1));
        for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - want[c])).toBeLessThanOrEqual(1);
      });
      let last = -Infinity;
      for (let i = 0; i < 256; i++) {
        const L = rgbToOklab([cm.lut[3 * i], cm.lut[3 * i + 1], cm.lut[3 * i + 2]])[0];
        expect(L).toBeGreaterThan(last - 1e-3);
        last = L;
      }
      expect(colourMap(name, true).hex(0)).toBe(cm.hex(1));
    }
  });

  it('escapes text and attributes and keeps documents balanced', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const svg = new SvgBuilder(100, 50);
    svg.group({ class: 'a"b' }, (g) => g.text(1, 2, '</text><script>x</script>').rect(0, 0, 1.005, 2));
    const s = svg.toString();
    checkWellFormedXml(s);
    expect(s).toContain('class="a&quot;b"');
    expect(s).toContain('&lt;/text&gt;&lt;script&gt;');
    expect(() => checkWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => checkWellFormedXml('<svg>a & b</svg>')).toThrow();
  });

  it('chooses ticks: 1-2-5 steps, Hz at mel-spaced positions', () => {
    expect(linearTicks(0, 11025, 6).map((t) => t.at)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(linearTicks(-0.07, 0.07, 4).map((t) => t.label)).toEqual(['-0.05', '0.00', '0.05']);
    const ticks = melHzTicks(0, 11025, 300 / hzToMel(11025));
    expect(ticks.map((t) => t.label)).toContain('1024');
    expect(ticks.at(-1)!.label).toBe('8192');
    for (const t of ticks) expect(t.at).toBeCloseTo(hzToMel(Number(t.label)), 9);
  });

  it('resamples cells to pixels: every cell is seen when shrinking, the centre cell when growing', () => {
    expect(cellSpan(0, 100, 1025)).toEqual([0, 11]);
    expect(cellSpan(99, 100, 1025)).toEqual([1014, 1025]);
    expect(cellSpan(0, 100, 10)).toEqual([0, 1]);
    expect(cellSpan(15, 100, 10)).toEqual([1, 2]);
  });

  it('encodes PNGs that decode to the same pixels', () => {
    const px = new Uint8Array(5 * 3 * 4).map((_, i) => (i * 37) & 255);
    const p = decodePng(encodePng(5, 3, px, 4));
    expect([p.width, p.height]).toEqual([5, 3]);
    expect(Array.from(p.rgba)).toEqual(Array.from(px));
  });

  it('rasterises text with a loaded font', () => {
    const svg = new SvgBuilder(200, 40);
    svg.rect(0, 0, 200, 40, { fill: '#fff' }).text(10, 28, 'Hz dB MFCC', { 'font-size': 20, fill: '#000', 'font-family': 'DejaVu Sans, sans-serif' });
    const p = decodePng(svgToPng(svg.toString()));
    let dark = 0;
    for (let y = 0; y < 40; y++) for (let x = 0; x < 200; x++) if (pixel(p, x, y)[0] < 128) dark++;
    expect(dark).toBeGreaterThan(100);
  });
});
