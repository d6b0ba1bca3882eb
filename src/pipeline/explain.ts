/**
 * The reason given with a recommendation. It starts with what the method itself decided: the
 * track's rank by the method's distance (or similarity) among every other track of the
 * catalogue, and the share of the catalogue that ranks as near or nearer. Then what is closest
 * and what differs, of four aspects a listener can check: tempo, key, timbre and loudness.
 *
 * Each aspect has a closeness in [0, 1]:
 * - tempo: exp(-|ln(t_c / t_q)| / 0.08), so 8 % apart gives 0.37; unknown tempo (0) leaves it out;
 * - key: same key and mode 1, relative major/minor 0.8, a fifth apart in the same mode 0.6,
 *   parallel major/minor 0.5, anything else 0;
 * - timbre: the share of the catalogue whose z-scored MFCC-summary cosine to the query is lower
 *   than this track's (a percentile among the catalogue, not a fixed threshold on the cosine);
 * - loudness: exp(-|dB difference| / 3).
 * Aspects with closeness >= 0.5 are "close", the others "differ"; each list nearest first.
 */
import type { Descriptors } from '../dsp/descriptors/index.js';
import { thousands } from '../util/format.js';

export { thousands };

export type AspectName = 'tempo' | 'key' | 'timbre' | 'loudness';

export interface Aspect {
  name: AspectName;
  /** 0 (as different as it gets) to 1 (the same). */
  closeness: number;
  /** What was compared, e.g. "96 vs 120 BPM", "same key A minor", "nearer than 92% of the catalogue". */
  detail: string;
}

const KEY_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** Closeness of two keys (see the module comment) and the words for it. */
export function keyAspect(q: Pick<Descriptors, 'key' | 'mode'>, c: Pick<Descriptors, 'key' | 'mode'>): Aspect {
  const qi = KEY_NAMES.indexOf(q.key);
  const ci = KEY_NAMES.indexOf(c.key);
  if (q.key === c.key && q.mode === c.mode) return { name: 'key', closeness: 1, detail: `same key ${c.key} ${c.mode}` };
  const relative = q.mode !== c.mode && ((q.mode === 'major' && (qi + 9) % 12 === ci) || (q.mode === 'minor' && (qi + 3) % 12 === ci));
  if (relative) return { name: 'key', closeness: 0.8, detail: `relative key ${c.key} ${c.mode}` };
  const fifth = q.mode === c.mode && qi >= 0 && ci >= 0 && ((qi + 7) % 12 === ci || (ci + 7) % 12 === qi);
  if (fifth) return { name: 'key', closeness: 0.6, detail: `key ${c.key} ${c.mode}, a fifth from ${q.key}` };
  if (q.key === c.key) return { name: 'key', closeness: 0.5, detail: `key ${c.key} ${c.mode} vs ${q.key} ${q.mode}` };
  return { name: 'key', closeness: 0, detail: `key ${c.key} ${c.mode} vs ${q.key} ${q.mode}` };
}

/** "top 3%" / "top 0.2%": the share of the catalogue at this rank or nearer. */
export function shareText(rank: number, of: number): string {
  const pct = (100 * rank) / Math.max(1, of);
  const s = pct >= 9.95 ? pct.toFixed(0) : pct >= 0.995 ? pct.toFixed(1).replace(/\.0$/, '') : pct.toPrecision(1);
  return `${s}%`;
}


/**
 * The aspects of a candidate `c` compared with the query `q`, nearest first. `timbreShare`: the
 * fraction (0-1) of the other catalogue tracks whose timbre is farther from the query than c's.
 */
export function aspects(q: Descriptors | undefined, c: Descriptors | undefined, timbreShare?: number): Aspect[] {
  const out: Aspect[] = [];
  if (q && c) {
    if (q.tempo > 0 && c.tempo > 0) {
      out.push({ name: 'tempo', closeness: Math.exp(-Math.abs(Math.log(c.tempo / q.tempo)) / 0.08), detail: `${Math.round(c.tempo)} vs ${Math.round(q.tempo)} BPM` });
    }
    if (q.key && c.key) out.push(keyAspect(q, c));
  }
  if (timbreShare !== undefined && Number.isFinite(timbreShare)) {
    out.push({ name: 'timbre', closeness: timbreShare, detail: `nearer than ${Math.round(100 * timbreShare)}% of the catalogue` });
  }
  if (q && c && Number.isFinite(q.loudness) && Number.isFinite(c.loudness)) {
    const dl = c.loudness - q.loudness;
    const detail = Math.abs(dl) < 0.5 ? 'same loudness' : `${Math.abs(dl).toFixed(0)} dB ${dl > 0 ? 'louder' : 'quieter'}`;
    out.push({ name: 'loudness', closeness: Math.exp(-Math.abs(dl) / 3), detail });
  }
  return out.sort((a, b) => b.closeness - a.closeness);
}

/** "close in tempo (96 vs 120 BPM), key (same key A minor); differs in loudness (6 dB louder)". */
export function aspectsText(list: Aspect[]): string {
  const close = list.filter((a) => a.closeness >= 0.5);
  const differ = list.filter((a) => a.closeness < 0.5).reverse();
  const words = (l: Aspect[]) => l.map((a) => `${a.name} (${a.detail})`).join(', ');
  return [close.length ? `close in ${words(close)}` : '', differ.length ? `differs in ${words(differ)}` : ''].filter(Boolean).join('; ');
}

/**
 * The whole reason: "#1 of 4,999 by hybrid (top 0.02%); close in timbre (...), ...; differs in
 * ...". `rank` is the 1-based rank by the method among the `of` other tracks it ranks (before
 * filters); omitted when unknown.
 */
export function reasonText(
  r: { method: string; rank?: number; of?: number },
  q: Descriptors | undefined,
  c: Descriptors | undefined,
  timbreShare?: number,
): string {
  const head = r.rank !== undefined && r.of ? `#${thousands(r.rank)} of ${thousands(r.of)} by ${r.method} (top ${shareText(r.rank, r.of)})` : '';
  return [head, aspectsText(aspects(q, c, timbreShare))].filter(Boolean).join('; ');
}

/**
 * share(v): the fraction of `values` (all but index `skip`) strictly below v; sorted once, so that
 * many candidates can be placed among one query's row.
 */
export function shareOf(values: ArrayLike<number>, skip?: number): (v: number) => number {
  const all = Float64Array.from(values);
  let sorted = all;
  if (skip !== undefined && Number.isInteger(skip) && skip >= 0 && skip < all.length) {
    sorted = new Float64Array(all.length - 1);
    sorted.set(all.subarray(0, skip));
    sorted.set(all.subarray(skip + 1), skip);
  }
  sorted.sort();
  return (v) => shareBelow(sorted, v);
}

/** The fraction of `values` strictly below `v` (values sorted ascending). */
export function shareBelow(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length ? lo / sorted.length : 0;
}
