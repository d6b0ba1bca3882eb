/**
 * Who may talk to the server. Bound to a loopback address, anyone on this machine may (as with
 * any local tool) unless a token is set; bound elsewhere, a token is required (given with
 * --token or generated and printed). The token is accepted as `Authorization: Bearer T`, as
 * `?token=T` (which also sets an HttpOnly cookie so that pictures and audio load), or as that
 * cookie. Host headers other than the bound name are refused on loopback (DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  const c = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)yasr_token=([A-Za-z0-9_-]+)/.exec(c);
  return m ? m[1] : null;
}

/**
 * A page on another site may make the browser send requests here (CSRF): any request that
 * changes something (not GET/HEAD) and carries an Origin must come from this server's own
 * origin. Tools such as curl send no Origin and are not affected.
 */
export function checkOrigin(req: IncomingMessage): { status: number; error: string } | null {
  const m = req.method ?? 'GET';
  if (m === 'GET' || m === 'HEAD') return null;
  const origin = req.headers.origin;
  if (!origin) return null;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return { status: 403, error: 'refused: malformed Origin' };
  }
  return host === (req.headers.host ?? '') ? null : { status: 403, error: `refused a ${m} from another origin (${origin.slice(0, 100)})` };
}

/** 'ok', 'set-cookie' (token in the query: remember it), or why not. */
export function checkRequest(req: IncomingMessage, url: URL, o: { token: string | null; loopback: boolean }): 'ok' | 'set-cookie' | { status: number; error: string } {
  if (o.loopback) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!isLoopback(host)) return { status: 421, error: `refused Host ${JSON.stringify(host.slice(0, 100))}: this server answers on its loopback address only` };
  }
  if (!o.token) return 'ok';
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && same(auth.slice(7).trim(), o.token)) return 'ok';
  const c = cookieToken(req);
  if (c && same(c, o.token)) return 'ok';
  const q = url.searchParams.get('token');
  if (q && same(q, o.token)) return 'set-cookie';
  return { status: 401, error: 'a token is needed: open the URL the server printed (…?token=…) or send Authorization: Bearer TOKEN' };
}
