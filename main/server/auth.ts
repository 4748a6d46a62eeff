import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The name of the cookie the page gets after opening the tokenised URL, so reloads and the WebSocket need no query
 * string. Cookies are not isolated by port, so each server names its own (`iir_token_<random>`): a browser that
 * holds cookies of several servers on 127.0.0.1 never presents one server's token as another's.
 */
export function newTokenCookieName(): string {
  return `iir_token_${randomBytes(6).toString('hex')}`;
}

/** A fresh random token (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a request presents: the `token` query parameter, else this server's cookie. */
export function presentedToken(request: IncomingMessage, url: URL, cookieName: string): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) return value.join('=');
  }
  return null;
}

/** Constant-time comparison of a presented token with the server's. */
export function isTokenValid(presented: string | null, token: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie header that stores the token: HttpOnly (scripts cannot read it), SameSite=Strict, the whole site. */
export function tokenCookieHeader(cookieName: string, token: string): string {
  return `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** How long a one-time URL (`serve --open`) may wait for the browser to open it. */
export const oneTimeUrlTtlMs = 5 * 60_000;

/**
 * One-time nonces that a browser trades once for the token cookie, so `serve --open` never puts the token on a
 * command line (where other local users can read it in /proc).
 */
export class OneTimeNonces {
  private readonly nonces = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    const nonce = randomBytes(32).toString('base64url');
    this.nonces.set(nonce, this.now() + oneTimeUrlTtlMs);
    return nonce;
  }

  /** True once for an issued, unexpired nonce; false ever after. */
  redeem(nonce: string | null): boolean {
    if (nonce === null) return false;
    const expires = this.nonces.get(nonce);
    this.nonces.delete(nonce);
    return expires !== undefined && expires >= this.now();
  }
}

/**
 * The WebSocket's Origin must be the page's own: `http://<Host header>`, and that host must be one this server
 * answers as (the bound address, or loopback names; any name when bound to all interfaces).
 */
export function isOriginAllowed(request: IncomingMessage, bindHost: string): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin === undefined || host === undefined || origin !== `http://${host}`) return false;
  if (bindHost === '0.0.0.0' || bindHost === '::') return true;
  const hostname = new URL(origin).hostname.replace(/^\[|\]$/g, '');
  return hostname === bindHost || hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '::1';
}
