/**
 * The `app:` scheme's requests, without Electron: `app://iir-studio/image/<id>` is a stored image as PNG, any other
 * path a file of the built renderer. Nothing outside the renderer folder or the image store is ever served.
 */
import { type ImageId, imageIdSchema } from '../../shared/api';
import { appHost, appScheme } from '../../shared/api/appScheme';
import { isIirError } from '../../shared/errors';
import { readStatic } from '../server/static';

/** The privileges `app:` is registered with, before the app is ready. */
export const appSchemePrivileges = {
  /** Parsed like http: a host, relative URLs, `localStorage`, an origin of its own. */
  standard: true,
  /** A secure context, like https (no mixed-content downgrades, `crypto.subtle` works). */
  secure: true,
  /** `fetch()` of stored images. */
  supportFetchAPI: true,
  /** Vite's `<script type="module" crossorigin>` and, during `npm run dev`, the dev server's image fetches. */
  corsEnabled: true,
  /** V8 caches the renderer's scripts as it does for https. */
  codeCache: true,
} as const;

/** What an `app:` request names. */
export type AppTarget =
  | { readonly kind: 'image'; readonly id: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'refused'; readonly status: 400 | 404; readonly reason: string };

/** Sorts an `app:` URL into an image id, a renderer path or a refusal (another scheme or host, a bad image id). */
export function appTarget(url: string): AppTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'refused', status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host.toLowerCase() !== appHost) {
    return { kind: 'refused', status: 404, reason: 'not found' };
  }
  const image = /^\/image\/([^/]*)$/.exec(parsed.pathname);
  if (image) {
    let id: string;
    try {
      id = decodeURIComponent(image[1]!);
    } catch {
      return { kind: 'refused', status: 400, reason: 'not an image id' };
    }
    const checked = imageIdSchema.safeParse(id);
    return checked.success
      ? { kind: 'image', id: checked.data }
      : { kind: 'refused', status: 400, reason: 'not an image id' };
  }
  return { kind: 'file', path: parsed.pathname };
}

/** Where `app:` requests are answered from. */
export interface AppSources {
  /** The built renderer (`out/renderer`). */
  readonly rendererDir: string;
  /** PNG bytes of a stored image; throws `not_found` for an unknown id. */
  readonly imagePng: (id: ImageId) => Promise<Uint8Array>;
  /** The dev server's origin during `npm run dev`: its page fetches images cross-origin, so they carry CORS. */
  readonly devOrigin?: string | undefined;
}

const text = (status: number, body: string): Response =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** Answers one `app:` request. */
export async function answerAppRequest(request: Request, sources: AppSources): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
  const target = appTarget(request.url);
  if (target.kind === 'refused') return text(target.status, target.reason);
  if (target.kind === 'image') return answerImage(imageIdSchema.parse(target.id), sources);
  const file = await readStatic(sources.rendererDir, target.path);
  if (!file) return text(404, 'not found');
  return new Response(file.body, {
    headers: { 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff' },
  });
}

async function answerImage(id: ImageId, sources: AppSources): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': 'image/png',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (sources.devOrigin) {
    headers['Access-Control-Allow-Origin'] = sources.devOrigin;
    headers.Vary = 'Origin';
  }
  try {
    return new Response(await sources.imagePng(id), { headers });
  } catch (error) {
    if (isIirError(error) && error.code === 'not_found') return text(404, error.message);
    throw error;
  }
}
