/**
 * yasr's common popularity scale, 0-100, so that --max-popularity means the same thing for
 * every source. It is a logarithm of an audience size N (people who follow or listen):
 *
 *     popularity = min(100, round(100 * log10(1 + N) / 7))
 *
 * so 10 million people -> 100, 1 million -> 86, 100,000 -> 71, 10,000 -> 57, 1,000 -> 43,
 * 100 -> 29, 10 -> 15, nobody -> 0. `--max-popularity 70` keeps artists with fewer than about
 * 100,000 followers. Monotonic in N for every source. What N is, per source:
 * - Deezer: the artist's fan count (`nb_fan`).
 * - Jamendo: the track's total listens divided by 10 (`stats.rate_listened_total`), a listener
 *   playing a track about ten times.
 * - Internet Archive: the item's downloads divided by 10 (`downloads`), for the same reason.
 * - iTunes: offers no audience figure; popularity stays unknown (null), and unknown popularity
 *   passes every --max-popularity filter.
 */
export function audiencePopularity(n: number | null | undefined): number | null {
  if (n === null || n === undefined || typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
  return Math.min(100, Math.round((100 * Math.log10(1 + n)) / 7));
}

/** A number from a JSON field that may be a number or a numeric string. */
export function numberField(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return null;
}
