/** Small readers for untrusted JSON: a wrong type is 'missing', never a crash. */
export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty trimmed string; a list gives its first string (Internet Archive fields). */
export function str(v: unknown): string | null {
  if (Array.isArray(v)) return v.map(str).find((x) => x !== null) ?? null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s ? s.slice(0, 500) : null;
}

/** An id: digits or a safe token (letters, digits, . _ -); anything else is missing. */
export function id(v: unknown): string | null {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : null;
  return s && /^[A-Za-z0-9._-]{1,100}$/.test(s) ? s : null;
}

/** An http(s) URL, else null. */
export function httpUrl(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The service ids that are present, e.g. { track: '1', album: '2' } (missing ones left out). */
export function ids(v: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => !!e[1]));
}
