/**
 * Choosing one of several interchangeable backends by name, by an environment variable, or the
 * first of an order that loads (`auto`). Each backend is loaded at most once per process; one
 * that fails to load keeps the first line of its error as the reason. The tensor backends
 * (src/similarity/backends/select.ts) and the ANN backends (src/similarity/ann/index.ts) use it.
 */
import { YasrError, badParameter } from '../errors.js';

export interface BackendStatus<N extends string> {
  name: N;
  loaded: boolean;
  description?: string;
  reason?: string;
}

export interface BackendChoice<N extends string, B> {
  /** Whether each backend loads here, and why not. */
  status(): BackendStatus<N>[];
  /** The backend named, or the one the environment variable or `auto` chooses. */
  choose(name?: string): B;
}

export function backendChoice<N extends string, B extends { readonly description: string }>(o: {
  /** What the backends are, in messages: "tensor backend". */
  kind: string;
  /** The environment variable that names one (or auto). */
  env: string;
  names: readonly N[];
  /** `auto` takes the first of these that loads. */
  autoOrder: readonly N[];
  /** Loads one (throws when it cannot; a self-test belongs here). */
  load(name: N): B;
}): BackendChoice<N, B> {
  const slots = new Map<N, { backend?: B; reason?: string }>();
  const tryLoad = (name: N): { backend?: B; reason?: string } => {
    let s = slots.get(name);
    if (!s) {
      try {
        s = { backend: o.load(name) };
      } catch (err) {
        s = { reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
      }
      slots.set(name, s);
    }
    return s;
  };
  return {
    status: () =>
      o.names.map((name) => {
        const s = tryLoad(name);
        return s.backend ? { name, loaded: true, description: s.backend.description } : { name, loaded: false, reason: s.reason };
      }),
    choose(name) {
      const env = process.env[o.env];
      const raw = (name ?? (env && env.trim() !== '' ? env : 'auto')).trim().toLowerCase();
      const source = name !== undefined ? o.kind : o.env;
      if (raw === 'auto') {
        for (const n of o.autoOrder) {
          const s = tryLoad(n);
          if (s.backend) return s.backend;
        }
        throw new YasrError('INTERNAL', `no ${o.kind} loads: ${o.names.map((n) => `${n}: ${tryLoad(n).reason}`).join('; ')}`);
      }
      if (!(o.names as readonly string[]).includes(raw)) throw badParameter(source, raw, `one of ${o.names.join(', ')} or auto`);
      const s = tryLoad(raw as N);
      if (!s.backend) throw new YasrError('BAD_PARAMETER', `${source} "${raw}" does not load here: ${s.reason}`, { name: source, value: raw });
      return s.backend;
    },
  };
}
