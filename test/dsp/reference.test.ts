/**
 * yasr's DSP against librosa 0.10.1 reference output (../shared/reference, see its README.md).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ABSENT, HAVE_REFERENCE, REFERENCE as REF, Tally, expectedArrays, npyFilesPresent } from '../helpers/reference.js';
import { readWav } from '../../src/interop/wav.js';
import { readNpyAnyOrder as readNpy } from './reference-npy.js';
import { analyzeSignal, type AnalysisResult } from '../../src/dsp/analyze.js';
import { trimInterval } from '../../src/audio/trim.js';
import type { Matrix } from '../../src/dsp/matrix.js';

const hasRef = HAVE_REFERENCE;

interface ClipInfo {
  samples: number;
  frames: number;
  trim: [number, number];
  spread_f32_vs_f64: Record<string, number>;
}

const manifest = hasRef
  ? (JSON.parse(readFileSync(path.join(REF, 'expected', 'manifest.json'), 'utf8')) as { clips: Record<string, ClipInfo> })
  : { clips: {} as Record<string, ClipInfo> };
const clips = Object.keys(manifest.clips).sort();

// Relative tolerance (of the reference matrix's peak |value|) for every feature but mel_db.
// librosa's own float32 vs float64 runs differ by up to ~1e-4 absolute on MFCC (spread_f32_vs_f64)
// whose peak |value| is hundreds, so 1e-4 relative is well above the float32 noise floor.
const REL_TOL = 1e-4;
// mel_db: absolute dB tolerance where the reference is more than 1 dB above its top_db floor.
const DB_TOL = 0.01;

/** Every array the reference README promises for these clips (mel_db has its own test). */
const ARRAYS = expectedArrays(clips);

function expectFinite(m: Matrix, label: string): void {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) throw new Error(`${label}: non-finite value ${m.data[i]} at ${i}`);
  }
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

// worst error per kernel and feature over all clips, printed at the end
const report: Record<string, Record<string, { err: number; rel: number; clip: string; nearFloor?: number }>> = {};
function note(kernel: string, feature: string, clip: string, err: number, rel: number, nearFloor?: number): void {
  const r = (report[kernel] ??= {});
  const cur = r[feature];
  if (!cur || rel > cur.rel) r[feature] = { err, rel, clip, nearFloor: Math.max(nearFloor ?? 0, cur?.nearFloor ?? 0) };
  else if (nearFloor !== undefined) cur.nearFloor = Math.max(cur.nearFloor ?? 0, nearFloor);
}

const signals = new Map<string, Float32Array>();
function signal(name: string): Float32Array {
  let y = signals.get(name);
  if (!y) {
    const wav = readWav(path.join(REF, 'clips', `${name}.wav`));
    expect(wav.sampleRate).toBe(22050);
    y = wav.samples;
    signals.set(name, y);
  }
  return y;
}

// Both per-frame implementations: the WebAssembly SIMD kernels (float32, the default) and the
// float64 JavaScript path.
if (!hasRef) {
  process.stderr.write(`[yasr tests] skipped "librosa reference features": ${ABSENT}\n`);
  describe('librosa reference features', () => it.skip(`skipped: ${ABSENT}`, () => {}));
}
describe.runIf(hasRef).each(['wasm', 'js'] as const)('librosa reference features, %s kernel', (kernel) => {
  const tally = new Tally(`librosa reference features, ${kernel} kernel`);
  const results = new Map<string, AnalysisResult>();
  function analysed(name: string): AnalysisResult {
    let r = results.get(name);
    if (!r) {
      r = analyzeSignal(signal(name), { keepStft: true, keepMel: true, kernel });
      results.set(name, r);
    }
    return r;
  }

  for (const name of clips) {
    describe(name, () => {
      it('mel_db matches within 0.01 dB above the top_db floor (+1 dB)', () => {
        const r = analysed(name);
        const exp = readNpy(path.join(REF, 'expected', `${name}.mel_db.npy`));
        expect([r.mel_db.rows, r.mel_db.cols]).toEqual(exp.shape);
        expectFinite(r.mel_db, `${name}.mel_db`);
        let refMax = -Infinity;
        for (const v of exp.data) refMax = Math.max(refMax, v);
        const floor = refMax - 80;
        let above = 0;
        let below = 0;
        for (let i = 0; i < exp.data.length; i++) {
          const d = Math.abs(r.mel_db.data[i] - exp.data[i]);
          if (exp.data[i] > floor + 1) above = Math.max(above, d);
          else below = Math.max(below, d);
        }
        note(kernel, 'mel_db', name, above, above, below);
        tally.add(name, 'mel_db', above);
        expect(above).toBeLessThanOrEqual(DB_TOL);
        // Within 1 dB of the floor values are clipped to it; the clip level is max - 80 in both.
        expect(below).toBeLessThanOrEqual(DB_TOL);
      });

      for (const { feature, file } of ARRAYS.filter((a) => a.clip === name && a.feature !== 'mel_db')) {
        it(`${feature} matches within ${REL_TOL} of its peak`, () => {
          const r = analysed(name);
          const got = r[feature as 'mfcc' | 'chroma' | 'rms' | 'centroid' | 'zcr' | 'stft_mag'];
          expect(got).toBeDefined();
          const m = got as Matrix;
          const exp = readNpy(file);
          expect([m.rows, m.cols]).toEqual(exp.shape);
          expect(m.cols).toBe(manifest.clips[name].frames);
          expectFinite(m, `${name}.${feature}`);
          const peak = maxAbs(exp.data);
          let worst = 0;
          for (let i = 0; i < exp.data.length; i++) worst = Math.max(worst, Math.abs(m.data[i] - exp.data[i]));
          note(kernel, feature, name, worst, peak > 0 ? worst / peak : worst);
          tally.add(name, feature, peak > 0 ? worst / peak : worst);
          // an all-zero reference (silence) must be matched exactly
          expect(worst).toBeLessThanOrEqual(REL_TOL * peak);
        });
      }

      it('trim interval equals librosa.effects.trim', () => {
        const y = signal(name);
        expect(y.length).toBe(manifest.clips[name].samples);
        expect(trimInterval(y, { topDb: 60, frameLength: 2048, hopLength: 512 })).toEqual(manifest.clips[name].trim);
      });
    });
  }

  it('compared every array the reference promises, and every .npy file there', () => {
    expect(clips.length).toBeGreaterThan(0);
    expect(tally.count).toBe(ARRAYS.length);
    expect(ARRAYS.map((a) => path.basename(a.file)).sort()).toEqual(npyFilesPresent());
    console.log(`${tally.line()} (mel_db in dB above the floor; the others relative to the array's peak)`);
  });

  it('prints the error report', () => {
    const lines = Object.entries(report[kernel] ?? {}).map(
      ([f, v]) => `${kernel} ${f.padEnd(9)} worst ${v.err.toExponential(2)}${f === 'mel_db' ? ' dB' : ''} (relative to peak ${v.rel.toExponential(2)}) on ${v.clip}${v.nearFloor !== undefined && f === 'mel_db' ? `; within 1 dB of the floor: ${v.nearFloor.toExponential(2)} dB` : ''}`,
    );
    console.log(lines.join('\n'));
  });
});
