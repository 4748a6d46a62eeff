import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ImageId, imageIdSchema } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import { type OneTimeNonces, isTokenValid, presentedToken, tokenCookieHeader } from './auth';
import { readStatic } from './static';

/** What the HTTP side of serve mode needs. */
export interface HttpContext {
  readonly rendererDir: string;
  readonly imagePng: (id: ImageId) => Promise<Uint8Array>;
  readonly token: string;
  readonly cookieName: string;
  readonly nonces: OneTimeNonces;
  readonly log?: (message: string) => void;
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The HTTP requests of serve mode: the one-time URL of `serve --open`, then (with the token, in the query or this
 * server's cookie) images by id and the built renderer; the page sets the cookie.
 */
export function createHttpHandler(context: HttpContext): (request: IncomingMessage, response: ServerResponse) => void {
  const { rendererDir, imagePng, token, cookieName, nonces, log } = context;
  return (request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log?.(`HTTP ${request.url ?? ''} failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error');
      else response.destroy();
    });
  };

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/open') return redeemOneTimeUrl(url, response);
    const presented = presentedToken(request, url, cookieName);
    if (!isTokenValid(presented, token)) {
      send(response, 403, 'text/plain; charset=utf-8', 'Forbidden: open the URL that `iir serve` printed.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'method not allowed');
      return;
    }
    const imageMatch = /^\/image\/([^/]+)$/.exec(url.pathname);
    if (imageMatch) {
      const id = imageIdSchema.safeParse(imageMatch[1]);
      if (!id.success) return send(response, 400, 'text/plain; charset=utf-8', 'not an image id');
      try {
        return send(response, 200, 'image/png', await imagePng(id.data));
      } catch (error) {
        if (isIirError(error) && error.code === 'not_found') {
          return send(response, 404, 'text/plain; charset=utf-8', error.message);
        }
        throw error;
      }
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (!file) {
      const isIndex = url.pathname === '/' || url.pathname === '/index.html';
      return send(
        response,
        404,
        'text/plain; charset=utf-8',
        isIndex ? 'The renderer is not built: run `npm run build`, then `npm run serve` again.' : 'not found',
      );
    }
    const headers: Record<string, string> = {};
    if (file.contentType.startsWith('text/html')) {
      headers['Set-Cookie'] = tokenCookieHeader(cookieName, token);
      headers['Content-Security-Policy'] = contentSecurityPolicy;
    }
    send(response, 200, file.contentType, file.body, headers);
  }

  /** A one-time URL: its nonce is traded once for the cookie, then the page loads from `/`. */
  function redeemOneTimeUrl(url: URL, response: ServerResponse): void {
    if (!nonces.redeem(url.searchParams.get('nonce'))) {
      return send(
        response,
        403,
        'text/plain; charset=utf-8',
        'Forbidden: this link was already used or has expired; open the URL that `iir serve` printed.',
      );
    }
    send(response, 303, 'text/plain; charset=utf-8', '', {
      Location: '/',
      'Set-Cookie': tokenCookieHeader(cookieName, token),
    });
  }
}

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { ...securityHeaders, 'Content-Type': contentType, ...headers });
  response.end(body);
}
