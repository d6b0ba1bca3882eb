import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, yasr } from '../helpers/cli.js';
import { openDb, type Db } from '../../src/store/db.js';
import { upsertTrack } from '../../src/store/tracks.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { hzToMel } from '../../src/dsp/mel.js';
import { YasrError } from '../../src/errors.js';
import { colourMap, loadTrackAudio, plotFeatureOptions, renderTrackPlot, svgToPng, trackFigure, type TrackAudio, type TrackPlotKind } from '../../src/plot/index.js';
import { checkWellFormedXml, decodePng, lutPosition, pixel, type Png } from './png-decode.js';

/**
 * `yasr plot`: pictures computed from a known signal (1.5 s of silence, then a 440 Hz tone)
 * are checked pixel by pixel against their own axes.
 */
const SR = 22050;
const SILENCE = 1.5;
const TONE = 4;
const SIZE = { width: 800, height: 360 };

describe('track plots', () => {
  const dir = tempDir('yasr-plot-');
  const dbFile = path.join(dir, 'plot.db');
  let db: Db;
  let id: number;
  let badId: number;
  let audio: TrackAudio;
  const tools = findFfmpeg();

  beforeAll(async () => {
    const y = new Float32Array(Math.round((SILENCE + TONE) * SR));
    for (let i = Math.round(SILENCE * SR); i < y.length; i++) y[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / SR);
    const wav = path.join(dir, 'a440.wav');
    writeWav(wav, y, SR);
    const bad = path.join(dir, 'bad.mp3');
    writeFileSync(bad, 'this is not audio\n'.repeat(20));
    db = openDb(dbFile);
    id = upsertTrack(db, { source: wav, kind: 'file', sha256: 'a440', localPath: wav, size: 1, duration: SILENCE + TONE, meta: { artist: 'Tone & Co', title: '<script>alert(1)</script>', album: 'Tests' } }).id;
    badId = upsertTrack(db, { source: bad, kind: 'file', sha256: 'bad', localPath: bad, size: 1, duration: null, meta: { artist: 'Bad', title: 'Noise' } }).id;
    audio = await loadTrackAudio(db, id, { tools, whole: true });
  });
  afterAll(() => db?.close());

  const png = (kind: TrackPlotKind, a: TrackAudio = audio) => {
    const fig = trackFigure(a, kind, SIZE);
    return { fig, img: decodePng(svgToPng(fig.svg)) };
  };

  /** The plot row whose middle columns sit highest on the colour map (mean LUT position). */
  const brightestRow = (img: Png, plot: { x: number; y: number; w: number; h: number }, lut: Uint8Array) => {
    let best = -1;
    let bestRow = -1;
    for (let py = plot.y + 1; py < plot.y + plot.h - 1; py++) {
      let s = 0;
      let n = 0;
      for (let px = plot.x + Math.floor(plot.w * 0.3); px < plot.x + plot.w * 0.7; px += 7, n++) s += lutPosition(lut, pixel(img, px, py));
      if (s / n > best) {
        best = s / n;
        bestRow = py;
      }
    }
    return bestRow;
  };

  it('draws the STFT with the tone in the row of 440 Hz on its frequency axis', () => {
    const { fig, img } = png('stft');
    expect([img.width, img.height]).toEqual([SIZE.width, SIZE.height]);
    const row = brightestRow(img, fig.plot, colourMap('magma').lut);
    expect(Math.abs(row - fig.y.toPixel(440))).toBeLessThanOrEqual(2);
    // the axis runs from 0 Hz at the bottom to the Nyquist frequency at the top
    expect(fig.y.toPixel(0)).toBeGreaterThan(fig.y.toPixel(SR / 2));
    expect(fig.y.toPixel(SR / 2)).toBeCloseTo(fig.plot.y, 0);
  });

  it('draws the mel spectrogram with the tone in the row of 440 Hz on its mel axis', () => {
    const { fig, img } = png('mel');
    const row = brightestRow(img, fig.plot, colourMap('magma').lut);
    const cell = fig.plot.h / 128;
    expect(Math.abs(row - fig.y.toPixel(hzToMel(440)))).toBeLessThanOrEqual(cell + 1);
    // Hz labels at mel-spaced ticks: 1024 Hz sits well above the middle of 0..2048 Hz
    expect(fig.svg).toContain('>1024</text>');
    expect(fig.y.toPixel(hzToMel(1024))).toBeLessThan((fig.y.toPixel(hzToMel(2048)) + fig.y.toPixel(hzToMel(0))) / 2);
  });

  it('draws the chromagram of an A440 tone brightest in the A row', () => {
    const { fig, img } = png('chroma');
    const row = brightestRow(img, fig.plot, colourMap('magma').lut);
    expect(Math.abs(row - fig.y.toPixel(9))).toBeLessThan(fig.plot.h / 24);
    expect(fig.svg).toMatch(/>A<\/text>/);
    expect(fig.svg).toMatch(/>C♯<\/text>/);
  });

  it('draws MFCCs by coefficient index with a colour bar of values', () => {
    const { fig, img } = png('mfcc');
    expect(img.width).toBe(SIZE.width);
    expect(fig.svg).toContain('MFCC coefficient');
    expect(fig.svg).toContain('MFCC value');
    expect(fig.y.domain).toEqual([-0.5, 19.5]);
  });

  it('marks on the waveform where the trimmed silence ends, and the analysed excerpt', async () => {
    const [tA] = audio.whole!.trim;
    // librosa trim keeps the frame whose centred 2048-sample window first reaches the tone
    expect(tA / SR).toBeGreaterThan(SILENCE - 2048 / SR);
    expect(tA / SR).toBeLessThanOrEqual(SILENCE);
    const { fig, img } = png('waveform');
    const row = fig.plot.y + 3; // above the waveform's peak: only the marks are drawn there
    const grey = (c: number[]) => Math.abs(c[0] - c[2]) < 8 && c[0] < 235 && c[0] > 150;
    expect(grey(pixel(img, fig.plot.x + 5, row))).toBe(true);
    let edge = -1;
    for (let px = fig.plot.x + 2; px < fig.plot.x + fig.plot.w; px++) {
      if (!grey(pixel(img, px, row))) {
        edge = px;
        break;
      }
    }
    expect(Math.abs(edge - fig.x.toPixel(tA / SR))).toBeLessThanOrEqual(2);
    // after the trimmed silence the background is the (light orange) excerpt, not grey
    const after = pixel(img, fig.x.toPixel(SILENCE + 1), row);
    expect(after[0]).toBeGreaterThan(after[2] + 15);

    // a 2 s excerpt: the central 2 s of the trimmed signal, edges drawn in orange
    const short = await loadTrackAudio(db, id, { tools, options: plotFeatureOptions({ excerpt: 2 }), whole: true });
    const kept = (audio.whole!.trim[1] - tA) / SR;
    const exA = tA / SR + (kept - 2) / 2;
    expect(short.analysedStart).toBeCloseTo(exA, 3);
    const w = png('waveform', short);
    const orange = (c: number[]) => c[0] > 200 && c[1] > 90 && c[1] < 190 && c[2] < 110;
    for (const t of [exA, exA + 2]) {
      const x0 = Math.round(w.fig.x.toPixel(t));
      expect([x0 - 1, x0, x0 + 1].some((x) => orange(pixel(w.img, x, row))), `orange edge at ${t} s`).toBe(true);
    }
    expect(w.fig.svg).toContain(`analysed excerpt ${exA.toFixed(2)}-${(exA + 2).toFixed(2)} s`);
  });

  it('draws the trimmed, excerpted signal on the time of the file', () => {
    const { fig } = png('trimmed');
    expect(fig.x.domain[0]).toBeCloseTo(audio.whole!.trim[0] / SR, 6);
    expect(fig.x.domain[1]).toBeCloseTo(audio.whole!.trim[1] / SR, 2);
  });

  it('writes well-formed SVG with the title escaped, and the same picture as PNG through the API', async () => {
    const svg = (await renderTrackPlot(db, id, 'mel', { format: 'svg', tools, ...SIZE })).toString('utf8');
    checkWellFormedXml(svg);
    expect(svg).toContain('Tone &amp; Co - &lt;script&gt;alert(1)&lt;/script&gt;: mel spectrogram');
    expect(svg).not.toContain('<script');
    const p = decodePng(await renderTrackPlot(db, id, 'mel', { format: 'png', tools, ...SIZE }));
    expect([p.width, p.height]).toEqual([SIZE.width, SIZE.height]);
    // the title is drawn: dark pixels in the title band
    let dark = 0;
    for (let y = 8; y < 30; y++) for (let x = 0; x < p.width; x++) if (pixel(p, x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(50);
  });

  it('refuses a track that cannot be decoded with one line naming the file', async () => {
    const err = await renderTrackPlot(db, badId, 'waveform', { format: 'png', tools }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YasrError);
    expect((err as YasrError).code).toBe('DECODE_FAILED');
    expect((err as YasrError).message).toContain('bad.mp3');
    expect((err as YasrError).message.split('\n')).toHaveLength(1);
  });

  it('yasr plot --kind all writes one picture per kind; bad parameters and bad audio give one line', () => {
    const out = path.join(dir, 'pic.png');
    const r = yasr(dbFile, ['plot', String(id), '--kind', 'all', '--out', out, '--width', '600', '--height', '300']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const k of ['waveform', 'trimmed', 'stft', 'mel', 'mfcc', 'chroma']) {
      const f = path.join(dir, `pic-${k}.png`);
      expect(existsSync(f), f).toBe(true);
      const p = decodePng(readFileSync(f));
      expect([p.width, p.height]).toEqual([600, 300]);
    }
    const bad = yasr(dbFile, ['plot', String(id), '--kind', 'spectrum', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['yasr: invalid --kind: "spectrum" (expected waveform, trimmed, stft, mel, mfcc, chroma or all)']);
    const ext = yasr(dbFile, ['plot', String(id), '--kind', 'mel', '--out', path.join(dir, 'x.jpg')]);
    expect(ext.status).toBe(2);
    expect(ext.stderr.trim().split('\n')).toHaveLength(1);
    const undecodable = yasr(dbFile, ['plot', String(badId), '--kind', 'mel', '--out', out]);
    expect(undecodable.status).toBe(5);
    expect(undecodable.stderr.trim().split('\n')).toHaveLength(1);
    expect(undecodable.stderr).toContain('bad.mp3');
  });
});
