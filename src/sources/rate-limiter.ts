import { badParameter } from '../errors.js';

/**
 * A sliding-window limiter: at most `requests` starts in any `perMs` window. Callers await
 * `take()` before each request; waits are queued in order. Clock and sleep are injectable.
 */
export class RateLimiter {
  private readonly starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Total milliseconds spent waiting for the window. */
  waitedMs = 0;

  constructor(
    readonly requests: number,
    readonly perMs: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!Number.isInteger(requests) || requests < 1) throw badParameter('rate requests', requests, 'an integer >= 1');
    if (!(perMs > 0)) throw badParameter('rate window', perMs, 'a positive number of milliseconds');
  }

  take(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const t = this.now();
        while (this.starts.length && t - this.starts[0] >= this.perMs) this.starts.shift();
        if (this.starts.length < this.requests) {
          this.starts.push(t);
          return;
        }
        const wait = this.starts[0] + this.perMs - t;
        this.waitedMs += wait;
        await this.sleep(wait);
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** 'N/S': N requests per S seconds (e.g. '50/5'); 'off' for no limit. */
export function parseRate(v: string, name: string): { requests: number; perMs: number } | null {
  const s = v.trim().toLowerCase();
  if (s === 'off' || s === 'none') return null;
  const m = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) throw badParameter(name, v, "'N/S' (N requests per S seconds, e.g. 50/5) or 'off'");
  return { requests: Number(m[1]), perMs: Number(m[2]) * 1000 };
}
