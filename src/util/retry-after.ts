/** An HTTP Retry-After value (seconds or an HTTP date) as milliseconds from `now`; undefined if absent or unreadable. */
export function parseRetryAfter(v: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
