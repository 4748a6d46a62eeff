import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie the page gets after opening the tokenised URL, so reloads and the WebSocket need no query string. */
export const tokenCookie = 'iir_token';

/** A fresh random token (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a request presents: the `token` query parameter, else the cookie. */
export function presentedToken(request: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookie) return value.join('=');
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

/** The cookie header that stores the token: HttpOnly (scripts cannot read it) and SameSite=Strict. */
export function tokenCookieHeader(token: string): string {
  return `${tokenCookie}=${token}; HttpOnly; SameSite=Strict; Path=/`;
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
