/**
 * Block-level features: patterns of a whole signal (yasr: the whole trimmed track), computed
 * over blocks of consecutive spectrogram frames, after Seyerlehner, Widmer & Pohle, "Fusing
 * block-level features for music similarity estimation" (DAFx-10, 2010; the MIREX Audio Music
 * Similarity winners 2010-2014).
 * Where frame-level timbre models (MFCCs, a Gaussian) forget the order of frames, a block keeps
 * a few frames together, so rhythm, onsets and the co-movement of bands survive.
 *
 * Input: a power spectrogram on a perceptual frequency scale, [nBands, T] (yasr passes the mel
 * power of analyzeSignal: 128 Slaney mel bands, 22050 Hz, hop 512, 43 frames/s). Adjacent bands
 * are grouped (mean power) into `bands` (32) and `coarseBands` (16) and converted to dB as
 * librosa's power_to_db does (amin 1e-10, floored 80 dB below the loudest input power), then
 * referenced to that loudest power (0 dB), so that a louder or quieter copy has the same
 * patterns (only SP depends on the level at all; `levelReference: false` keeps ref 1). Each
 * pattern is a summary over blocks, element by element, of a per-block matrix:
 *
 * | pattern | per block | frames per block, hop | summary over blocks | shape |
 * | --- | --- | --- | --- | --- |
 * | SP: spectral pattern | each band's dB values sorted (ascending) | 10, 5 | 0.9 percentile | [bands, 10] |
 * | DSP: delta spectral pattern | the same on the onsets max(0, X(t) - X(t - 3)) | 25, 10 | 0.9 percentile | [bands, 25] |
 * | VDSP: variance delta spectral pattern | as DSP | 25, 10 | variance | [bands, 25] |
 * | LFP: logarithmic fluctuation pattern | each coarse band's modulation spectrum on a log axis | 512 (11.9 s), 128 | 0.6 percentile | [coarseBands, lfpBins] |
 * | CP: correlation pattern | Pearson correlation of every pair of coarse bands | 256, 128 | median | [1, C(C-1)/2] |
 * | SCP: spectral contrast pattern | each sub-band's contrast per frame, sorted | 40, 20 | 0.1 percentile | [contrastBands, 40] |
 *
 * Block sizes, the delay and the percentiles are the published ones. yasr's own choices, for
 * cost (about 3,000 values whatever the length, a fraction of the STFT pass): fewer bands (32
 * and 16 mel groups, 16 contrast sub-bands, instead of 98 cent bands, 36, 52 and 20), DSP/VDSP
 * blocks every 10 frames instead of 5, and a spectral contrast from mel bands: sub-band s is a run of
 * adjacent mel bands, its contrast dB(mean of the q largest powers) - dB(mean of the q smallest),
 * q = max(1, round(contrastAlpha * bands in it)) (1 of 8 by default). The LFP's modulation axis:
 * centres lfpMinHz * 2^(k / lfpBinsPerOctave) (default 0.5 Hz .. 13.5 Hz in quarter octaves),
 * each a triangular average (in log frequency) of the Hann-windowed FFT magnitudes of the band's
 * mean-removed dB values, scaled so that a sinusoidal modulation of amplitude A dB at an FFT
 * bin reads A there.
 *
 * Short input: a spectrogram shorter than a block is repeated cyclically to fill one block (the
 * LFP pads its mean-removed values with zeros instead, adding no periodicity). Digital silence
 * (all powers equal) gives zeros everywhere but SP (its level): always finite. Percentiles
 * interpolate linearly between order statistics (numpy's default); variances are population
 * variances. Bad options and bad input are a BAD_PARAMETER YasrError quoting the value.
 */
import { badParameter } from '../errors.js';
import type { Matrix } from './matrix.js';
import { createRealFft } from './fft.js';
import { hannWindow } from './window.js';
import { BLOCK_PATTERN_NAMES, blockPatternLayout, resolveBlockLevelOptions, type BlockLevelOptions, type BlockPatternName, type BlockPatterns, type PatternSlice } from './block-layout.js';

// the options and the patterns' layout live apart (no FFT behind them): re-exported here
export { BLOCK_LEVEL_DEFAULTS, BLOCK_PATTERN_NAMES, blockPatternLayout, resolveBlockLevelOptions } from './block-layout.js';
export type { BlockLevelOptions, BlockPatternName, BlockPatterns, PatternSlice } from './block-layout.js';

/** dB per neper of power: 10 / ln 10. */
const DB_PER_NEPER = 10 / Math.LN10;

/**
 * Every block-level pattern of a power spectrogram [nBands, T] (T >= 1; nBands at least each
 * pattern's band count; values finite and >= 0).
 */
export function blockPatterns(power: Matrix, opts: Partial<BlockLevelOptions> = {}): BlockPatterns {
  const o = resolveBlockLevelOptions(opts);
  const top = checkPower(power, Math.max(o.bands, o.coarseBands, o.contrastBands), o);
  const floor = top - o.topDb;
  const finePower = groupPower(power, o.bands);
  // coarse bands are unions of fine ones when the counts divide: no second pass over the input
  const coarsePower = power.rows % o.bands === 0 && o.bands % o.coarseBands === 0 ? groupPower(finePower, o.coarseBands) : groupPower(power, o.coarseBands);
  const fine = toDb(finePower, top, o);
  const coarse = toDb(coarsePower, top, o);
  const { dsp, vdsp } = deltaPatternsOf(fine, o);
  return {
    sp: spectralPatternOf(fine, o),
    dsp,
    vdsp,
    lfp: fluctuationPatternOf(coarse, o),
    cp: correlationPatternOf(coarse, o),
    scp: contrastPatternOf(contrastOf(power, floor, o), o),
  };
}

/** The patterns one after the other (BLOCK_PATTERN_NAMES order), each row-major. */
export function flattenBlockPatterns(p: BlockPatterns): Float32Array {
  const total = BLOCK_PATTERN_NAMES.reduce((s, n) => s + p[n].data.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const n of BLOCK_PATTERN_NAMES) {
    out.set(p[n].data, at);
    at += p[n].data.length;
  }
  return out;
}

/** `block_patterns`: the flattened patterns of a power spectrogram as one [1, D] matrix. */
export function blockPatternVector(power: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const data = flattenBlockPatterns(blockPatterns(power, opts));
  return { rows: 1, cols: data.length, data };
}

/** A flattened vector cut back into its patterns (views, no copies); its length must fit the layout. */
export function splitBlockPatterns<A extends Float32Array | Float64Array>(v: A, layout: PatternSlice[] = blockPatternLayout()): Record<BlockPatternName, A> {
  const total = layout.reduce((s, p) => s + p.length, 0);
  if (v.length !== total) throw badParameter('block pattern vector length', v.length, `${total} values (${layout.map((p) => `${p.name} ${p.length}`).join(', ')})`);
  const out = {} as Record<BlockPatternName, A>;
  for (const p of layout) out[p.name] = v.subarray(p.offset, p.offset + p.length) as A;
  return out;
}

// ---- the patterns ---------------------------------------------------------------------------

/**
 * Adjacent bands grouped, in dB: output band b is the mean power of input bands
 * floor(b N / nBands) .. floor((b + 1) N / nBands) - 1, as 10 log10(max(amin, mean)), floored
 * at the loudest input power's dB minus topDb (power_to_db's top_db). [N, T] -> [nBands, T].
 */
export function reduceBands(power: Matrix, nBands: number, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  return toDb(groupPower(power, nBands), checkPower(power, nBands, o), o);
}

/** Mean power of groups of adjacent bands: [N, T] -> [nBands, T]. */
function groupPower(power: Matrix, nBands: number): Matrix {
  const { rows: N, cols: T, data } = power;
  const out = new Float32Array(nBands * T);
  const acc = new Float64Array(T);
  for (let b = 0; b < nBands; b++) {
    const lo = Math.floor((b * N) / nBands);
    const hi = Math.floor(((b + 1) * N) / nBands);
    acc.fill(0);
    for (let r = lo; r < hi; r++) for (let t = 0; t < T; t++) acc[t] += data[r * T + t];
    const inv = 1 / (hi - lo);
    for (let t = 0; t < T; t++) out[b * T + t] = acc[t] * inv;
  }
  return { rows: nBands, cols: T, data: out };
}

/**
 * 10 log10(max(amin, p)), floored at top - topDb, minus top with levelReference (top: the dB of
 * the loudest input power).
 */
function toDb(power: Matrix, top: number, o: BlockLevelOptions): Matrix {
  const out = new Float32Array(power.data.length);
  const floor = top - o.topDb;
  const ref = o.levelReference ? top : 0;
  for (let i = 0; i < out.length; i++) out[i] = Math.max(floor, DB_PER_NEPER * Math.log(Math.max(o.amin, power.data[i]))) - ref;
  return { rows: power.rows, cols: power.cols, data: out };
}

/** SP: [R, T] -> [R, spBlock]: each block's bands sorted, the spPercentile over blocks. */
export function spectralPattern(x: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  checkSpectrogram(x, 1);
  return spectralPatternOf(x, o);
}

function spectralPatternOf(x: Matrix, o: BlockLevelOptions): Matrix {
  const { stack, K } = sortedBlocks(x, o.spBlock, o.spHop);
  return summarise(stack, x.rows, o.spBlock, K, (v) => percentileOf(v, o.spPercentile));
}

/** The onset spectrogram max(0, X(t) - X(t - delay)), t = delay .. T-1: [R, T] -> [R, max(0, T - delay)]. */
export function positiveDelta(x: Matrix, delay: number): Matrix {
  const { rows: R, cols: T, data } = x;
  const n = Math.max(0, T - delay);
  const out = new Float32Array(R * n);
  for (let r = 0; r < R; r++) for (let t = 0; t < n; t++) out[r * n + t] = Math.max(0, data[r * T + t + delay] - data[r * T + t]);
  return { rows: R, cols: n, data: out };
}

/** DSP and VDSP: [R, T] -> [R, dspBlock] each (a spectrogram of at most dspDelay frames gives zeros). */
export function deltaSpectralPatterns(x: Matrix, opts: Partial<BlockLevelOptions> = {}): { dsp: Matrix; vdsp: Matrix } {
  const o = resolveBlockLevelOptions(opts);
  checkSpectrogram(x, 1);
  return deltaPatternsOf(x, o);
}

function deltaPatternsOf(x: Matrix, o: BlockLevelOptions): { dsp: Matrix; vdsp: Matrix } {
  const d = positiveDelta(x, o.dspDelay);
  if (d.cols === 0) return { dsp: zeros(x.rows, o.dspBlock), vdsp: zeros(x.rows, o.dspBlock) };
  const vdsp = zeros(x.rows, o.dspBlock);
  // one pass over the blocks: the variance first (the percentile reorders the values)
  const { stack, K } = sortedBlocks(d, o.dspBlock, o.dspHop);
  const dsp = summarise(stack, x.rows, o.dspBlock, K, (v, e) => {
    vdsp.data[e] = variance(v);
    return percentileOf(v, o.dspPercentile);
  });
  return { dsp, vdsp };
}

/** The log-spaced modulation centres of the LFP (Hz). */
export function modulationCentres(opts: Partial<BlockLevelOptions> = {}): Float64Array {
  const o = resolveBlockLevelOptions(opts);
  return Float64Array.from({ length: o.lfpBins }, (_, k) => o.lfpMinHz * 2 ** (k / o.lfpBinsPerOctave));
}

/**
 * LFP: [R, T] -> [R, lfpBins]. Per block and band: the values minus their mean over the block,
 * times a periodic Hann window, |rFFT| * 2 / sum(window); centre k takes the mean of the FFT
 * magnitudes weighted by max(0, 1 - |binsPerOctave * log2(f / f_k)|) over the bins f > 0 (the
 * magnitude interpolated linearly at f_k when no bin has weight). Then the lfpPercentile over blocks.
 */
export function fluctuationPattern(x: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  checkSpectrogram(x, 1);
  return fluctuationPatternOf(x, o);
}

function fluctuationPatternOf(x: Matrix, o: BlockLevelOptions): Matrix {
  const { rows: R, cols: T, data } = x;
  const N = o.lfpBlock;
  const half = N / 2;
  const win = hannWindow(N);
  let winSum = 0;
  for (let i = 0; i < N; i++) winSum += win[i];
  const scale = 2 / winSum;
  const binHz = o.frameRate / N;
  const map = modulationMap(modulationCentres(o), binHz, half, o.lfpBinsPerOctave);
  const fft = createRealFft(N);
  const starts = blockStarts(T, N, o.lfpHop);
  const K = starts.length;
  const stack = new Float64Array(K * R * o.lfpBins);
  const mag = new Float64Array(half + 1);
  for (let k = 0; k < K; k++) {
    const s = starts[k];
    const len = Math.min(N, T - s);
    for (let r = 0; r < R; r++) {
      const row = r * T + s;
      let mean = 0;
      for (let i = 0; i < len; i++) mean += data[row + i];
      mean /= len;
      fft.input.fill(0);
      for (let i = 0; i < len; i++) fft.input[i] = (data[row + i] - mean) * win[i];
      fft.transform();
      const X = fft.output;
      mag[0] = Math.abs(X[0]) * scale;
      mag[half] = Math.abs(X[1]) * scale;
      for (let b = 1; b < half; b++) {
        const re = X[2 * b];
        const im = X[2 * b + 1];
        mag[b] = Math.sqrt(re * re + im * im) * scale;
      }
      for (let c = 0; c < o.lfpBins; c++) stack[(r * o.lfpBins + c) * K + k] = map[c](mag);
    }
  }
  return summarise(stack, R, o.lfpBins, K, (v) => percentileOf(v, o.lfpPercentile));
}

/**
 * CP: [R, T] -> [1, R(R-1)/2]: per block the Pearson correlation of bands i < j (row-major
 * upper triangle; 0 when either band is constant in the block), the cpPercentile over blocks.
 */
export function correlationPattern(x: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  checkSpectrogram(x, 2);
  return correlationPatternOf(x, o);
}

function correlationPatternOf(x: Matrix, o: BlockLevelOptions): Matrix {
  const R = x.rows;
  const B = o.cpBlock;
  const P = (R * (R - 1)) / 2;
  const starts = blockStarts(x.cols, B, o.cpHop);
  const K = starts.length;
  const stack = new Float64Array(K * P);
  const centred = new Float64Array(R * B);
  const norm = new Float64Array(R);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < R; r++) {
      let mean = 0;
      for (let i = 0; i < B; i++) mean += frameValue(x, r, starts[k] + i);
      mean /= B;
      let ss = 0;
      for (let i = 0; i < B; i++) {
        const v = frameValue(x, r, starts[k] + i) - mean;
        centred[r * B + i] = v;
        ss += v * v;
      }
      // a band constant in the block (up to rounding) correlates with nothing: 0
      norm[r] = ss > B * (1e-9 * (1 + Math.abs(mean))) ** 2 ? Math.sqrt(ss) : 0;
    }
    let p = 0;
    for (let i = 0; i < R; i++) {
      for (let j = i + 1; j < R; j++, p++) {
        if (norm[i] === 0 || norm[j] === 0) continue;
        let s = 0;
        for (let t = 0; t < B; t++) s += centred[i * B + t] * centred[j * B + t];
        stack[p * K + k] = Math.max(-1, Math.min(1, s / (norm[i] * norm[j])));
      }
    }
  }
  return summarise(stack, 1, P, K, (v) => percentileOf(v, o.cpPercentile));
}

/**
 * Spectral contrast per frame: power [N, T] -> [contrastBands, T] dB. Sub-band s covers input
 * bands floor(s N / S) .. floor((s + 1) N / S) - 1 (m of them); with q = max(1, round(alpha m)),
 * its contrast is dB(mean of the q largest powers) - dB(mean of the q smallest), both in dB as
 * reduceBands converts them (amin, topDb floor).
 */
export function spectralContrast(power: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  return contrastOf(power, checkPower(power, o.contrastBands, o) - o.topDb, o);
}

function contrastOf(power: Matrix, floor: number, o: BlockLevelOptions): Matrix {
  const { rows: N, cols: T, data } = power;
  const S = o.contrastBands;
  // powers below pFloor read as the floor: dB(peak) - dB(valley) with one logarithm
  const pFloor = Math.max(o.amin, Math.exp(floor / DB_PER_NEPER));
  const out = new Float32Array(S * T);
  const buf = new Float64Array(N);
  const peak = new Float64Array(T);
  const valley = new Float64Array(T);
  for (let s = 0; s < S; s++) {
    const lo = Math.floor((s * N) / S);
    const hi = Math.floor(((s + 1) * N) / S);
    const m = hi - lo;
    const q = Math.max(1, Math.round(o.contrastAlpha * m));
    if (q === 1) {
      // the largest and smallest power of each frame, row by row (sequential reads)
      for (let t = 0; t < T; t++) peak[t] = valley[t] = data[lo * T + t];
      for (let r = lo + 1; r < hi; r++) {
        for (let t = 0; t < T; t++) {
          const v = data[r * T + t];
          peak[t] = Math.max(peak[t], v);
          valley[t] = Math.min(valley[t], v);
        }
      }
    } else {
      for (let t = 0; t < T; t++) {
        for (let r = lo; r < hi; r++) buf[r - lo] = data[r * T + t];
        insertionSort(buf, 0, m);
        let a = 0;
        let b = 0;
        for (let i = 0; i < q; i++) {
          b += buf[i];
          a += buf[m - 1 - i];
        }
        peak[t] = a / q;
        valley[t] = b / q;
      }
    }
    for (let t = 0; t < T; t++) {
      const a = Math.max(pFloor, peak[t]);
      const b = Math.max(pFloor, valley[t]);
      out[s * T + t] = a > b ? DB_PER_NEPER * Math.log(a / b) : 0;
    }
  }
  return { rows: S, cols: T, data: out };
}

/** SCP: power [N, T] -> [contrastBands, scpBlock]: the contrast's bands sorted per block, the scpPercentile over blocks. */
export function spectralContrastPattern(power: Matrix, opts: Partial<BlockLevelOptions> = {}): Matrix {
  const o = resolveBlockLevelOptions(opts);
  return contrastPatternOf(spectralContrast(power, o), o);
}

function contrastPatternOf(c: Matrix, o: BlockLevelOptions): Matrix {
  const { stack, K } = sortedBlocks(c, o.scpBlock, o.scpHop);
  return summarise(stack, c.rows, o.scpBlock, K, (v) => percentileOf(v, o.scpPercentile));
}

// ---- helpers --------------------------------------------------------------------------------

function checkShape(x: Matrix, minRows: number, what: string): void {
  if (!x || !(x.data instanceof Float32Array) || x.data.length !== x.rows * x.cols) throw badParameter(what, x && { rows: x.rows, cols: x.cols }, 'a Matrix whose data holds rows * cols values');
  if (x.cols < 1) throw badParameter(`${what} frames`, x.cols, 'at least 1');
  if (x.rows < minRows) throw badParameter(`${what} bands`, x.rows, `at least ${minRows}`);
}

/** A dB spectrogram: finite values. */
function checkSpectrogram(x: Matrix, minRows: number): void {
  checkShape(x, minRows, 'spectrogram');
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) throw badParameter(`spectrogram value [${Math.floor(i / x.cols)}, ${i % x.cols}]`, String(x.data[i]), 'a finite number of dB');
  }
}

/** A power spectrogram: finite values >= 0. Returns the dB of its largest power, 10 log10(max(amin, max)). */
function checkPower(x: Matrix, minRows: number, o: BlockLevelOptions): number {
  checkShape(x, minRows, 'power spectrogram');
  let max = 0;
  let bad = false;
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    bad ||= !(v >= 0 && v < Infinity);
    max = Math.max(max, v);
  }
  if (bad) {
    const i = x.data.findIndex((v) => !(v >= 0 && v < Infinity));
    throw badParameter(`power spectrogram value [${Math.floor(i / x.cols)}, ${i % x.cols}]`, String(x.data[i]), 'a finite power >= 0');
  }
  return DB_PER_NEPER * Math.log(Math.max(o.amin, max));
}

function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** Block start frames: 0, hop, 2 hop, ... while the block fits; [0] when T is shorter than a block. */
function blockStarts(T: number, size: number, hop: number): number[] {
  if (T <= size) return [0];
  const out: number[] = [];
  for (let s = 0; s + size <= T; s += hop) out.push(s);
  return out;
}

/** x[r, t], the frames repeated cyclically past the end. */
function frameValue(x: Matrix, r: number, t: number): number {
  return x.data[r * x.cols + (t % x.cols)];
}

/**
 * Every block with each band's values sorted ascending, element-major: stack[(r size + i) K + k]
 * is the i-th smallest value of band r in block k. Blocks of twice the hop (SP: 10 frames, hop 5;
 * SCP: 40, hop 20) are two consecutive runs of hop frames: each run is sorted once and each block
 * merges its two runs. When consecutive blocks otherwise share most frames (hop <= size / 4), the
 * sorted window slides: the hop frames leaving are taken out and those arriving merged in,
 * O(size) per block instead of a sort. (The same sorted values either way.)
 */
function sortedBlocks(x: Matrix, size: number, hop: number): { stack: Float64Array; K: number } {
  const { rows: R, cols: T, data } = x;
  const starts = blockStarts(T, size, hop);
  const K = starts.length;
  const stack = new Float64Array(R * size * K);
  const win = new Float64Array(size);
  const kept = new Float64Array(size);
  const h = Math.min(hop, size);
  const leave = new Float64Array(h);
  const enter = new Float64Array(h);
  // more than one block: every block lies inside the spectrogram (starts 0, hop, 2 hop, ...)
  const halves = K > 1 && size === 2 * hop;
  const slide = 4 * hop <= size;
  // halves: the sorted runs of hop frames, run j covering frames j hop .. (j + 1) hop - 1
  const runs = new Float64Array(halves ? (K + 1) * hop : 0);
  for (let r = 0; r < R; r++) {
    const row = r * T;
    if (halves) {
      for (let j = 0; j <= K; j++) {
        const at = j * hop;
        for (let i = 0; i < hop; i++) runs[at + i] = data[row + at + i];
        insertionSort(runs, at, at + hop);
      }
    }
    for (let k = 0; k < K; k++) {
      const s = starts[k];
      if (halves) {
        // merge runs k and k + 1
        const a0 = k * hop;
        const a1 = a0 + hop;
        const b1 = a1 + hop;
        for (let i = 0, a = a0, b = a1; i < size; i++) win[i] = b >= b1 || (a < a1 && runs[a] <= runs[b]) ? runs[a++] : runs[b++];
      } else if (k === 0 || !slide) {
        // a block sorted afresh (frames repeated cyclically when T < size: then it is the only block)
        for (let i = 0; i < size; i++) win[i] = data[row + ((s + i) % T)];
        insertionSort(win, 0, size);
      } else {
        for (let i = 0; i < h; i++) {
          leave[i] = data[row + s - h + i];
          enter[i] = data[row + s + size - h + i];
        }
        insertionSort(leave, 0, h);
        insertionSort(enter, 0, h);
        let n = 0;
        for (let i = 0, j = 0; i < size; i++) {
          if (j < h && win[i] === leave[j]) j++;
          else kept[n++] = win[i];
        }
        for (let i = 0, a = 0, b = 0; i < size; i++) win[i] = b >= h || (a < n && kept[a] <= enter[b]) ? kept[a++] : enter[b++];
      }
      const at = r * size * K + k;
      for (let i = 0; i < size; i++) stack[at + i * K] = win[i];
    }
  }
  return { stack, K };
}

/** Sorts a[from .. to) ascending in place (blocks are short: tens of values). */
function insertionSort(a: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= from && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** Element-wise summary over K blocks of an element-major stack ([rows cols][K]): [rows, cols]. */
function summarise(stack: Float64Array, rows: number, cols: number, K: number, f: (values: Float64Array, element: number) => number): Matrix {
  const E = rows * cols;
  const out = new Float32Array(E);
  for (let e = 0; e < E; e++) out[e] = f(stack.subarray(e * K, (e + 1) * K), e);
  return { rows, cols, data: out };
}

/**
 * The p-quantile (0..1) with linear interpolation between order statistics (numpy's default).
 * Reorders `v` in place (a selection, not a full sort: expected O(n)).
 */
export function percentileOf(v: Float64Array, p: number): number {
  const n = v.length;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const a = select(v, lo);
  if (lo + 1 >= n || pos === lo) return a;
  // after the selection every value right of lo is >= a: the next order statistic is their minimum
  let b = v[lo + 1];
  for (let i = lo + 2; i < n; i++) if (v[i] < b) b = v[i];
  return a + (pos - lo) * (b - a);
}

/** The k-th smallest value (0-based); partitions v around it (Hoare's selection, median of three). */
function select(v: Float64Array, k: number): number {
  let left = 0;
  let right = v.length - 1;
  while (right > left) {
    if (right - left < 16) {
      insertionSort(v, left, right + 1);
      return v[k];
    }
    const mid = (left + right) >> 1;
    // median of three as the pivot
    if (v[mid] < v[left]) swap(v, mid, left);
    if (v[right] < v[left]) swap(v, right, left);
    if (v[right] < v[mid]) swap(v, right, mid);
    const pivot = v[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        swap(v, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return v[k];
  }
  return v[k];
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** Population variance. */
function variance(v: Float64Array): number {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
  return s / n;
}

/** For each modulation centre, a function of the magnitude spectrum (bins 0 .. half) giving its value. */
function modulationMap(centres: Float64Array, binHz: number, half: number, perOctave: number): ((mag: Float64Array) => number)[] {
  return Array.from(centres, (fc) => {
    const bins: number[] = [];
    const weights: number[] = [];
    for (let b = 1; b <= half; b++) {
      const w = 1 - Math.abs(perOctave * Math.log2((b * binHz) / fc));
      if (w > 0) {
        bins.push(b);
        weights.push(w);
      }
    }
    const wSum = weights.reduce((a, w) => a + w, 0);
    if (wSum > 0) {
      return (mag: Float64Array) => {
        let s = 0;
        for (let i = 0; i < bins.length; i++) s += weights[i] * mag[bins[i]];
        return s / wSum;
      };
    }
    const pos = Math.min(half, fc / binHz);
    const lo = Math.min(half - 1, Math.floor(pos));
    return (mag: Float64Array) => mag[lo] + (pos - lo) * (mag[lo + 1] - mag[lo]);
  });
}
