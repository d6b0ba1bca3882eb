/**
 * The key that finds one track listed by two sources: same ISRC, else the same normalised
 * artist and title and durations within 2 s. Normalising drops case, accents, punctuation,
 * a leading 'the', featured artists and version notes such as '(Remastered 2011)' or
 * '- Radio Edit' are kept apart: a radio edit is another length anyway, the duration decides.
 */
export function normaliseName(s: string | null | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[([]\s*(feat\.?|ft\.?|featuring|with)\s[^)\]]*[)\]]/g, ' ')
    .replace(/\s(feat\.?|ft\.?|featuring)\s.*$/g, ' ')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '')
    .replace(/\s+/g, ' ');
}

export function matchKey(artist: string | null | undefined, title: string | null | undefined): string | null {
  const a = normaliseName(artist);
  const t = normaliseName(title);
  return a && t ? `${a}\u0000${t}` : null;
}

/** ISRCs are 12 characters (CC-XXX-YY-NNNNN); hyphens and case vary between services. */
export function normaliseIsrc(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.replace(/[-\s]/g, '').toUpperCase();
  return /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/.test(s) ? s : null;
}

export const DURATION_TOLERANCE_S = 2;
