import { badParameter } from '../errors.js';

/**
 * '7d' (days), '2w' (weeks), '1m' (30-day months) or 'YYYY-MM-DD' -> the first day included,
 * as YYYY-MM-DD (UTC), counted back from `today`.
 */
export function parseSince(v: string, today: Date = new Date(), name = '--since'): string {
  const s = v.trim();
  const rel = /^(\d{1,4})\s*([dwm])$/i.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    const days = n * ({ d: 1, w: 7, m: 30 } as Record<string, number>)[rel[2].toLowerCase()];
    return new Date(today.getTime() - days * 86_400_000).toISOString().slice(0, 10);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const d = new Date(`${s}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s) return s;
  }
  throw badParameter(name, v, "a number of days, weeks or months back ('7d', '2w', '1m') or a date YYYY-MM-DD");
}

/**
 * Whether `date` is on or after `floor`. A partial date ('2024', '2024-06') counts as the end of
 * its period, a partial floor as its start: '2024' passes a floor of 2024-06-01.
 */
export function onOrAfter(date: string | null, floor: string | null): boolean {
  if (!floor) return true;
  if (!date) return false;
  const end = date.length === 4 ? `${date}-12-31` : date.length === 7 ? `${date}-31` : date.slice(0, 10);
  const start = floor.length === 4 ? `${floor}-01-01` : floor.length === 7 ? `${floor}-01` : floor;
  return end >= start;
}

/** The first 10 characters of an ISO-like date if they look like one, else the year or null. */
export function isoDay(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(v.trim());
  if (!m || m[1] === '0000') return null;
  return [m[1], m[2], m[3]].filter(Boolean).join('-');
}
