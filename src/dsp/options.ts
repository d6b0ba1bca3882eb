/** Small helpers for librosa-like keyword options. */

/** A copy of `o` without its undefined entries, so spreading it keeps defaults. */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** float32 tiny (numpy.finfo(np.float32).tiny): librosa.util.normalize's default threshold. */
export const FLOAT32_TINY = 1.1754943508222875e-38;
