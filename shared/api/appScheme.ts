import type { ImageId } from './ids';

/**
 * The desktop app's one privileged scheme: the renderer's page and assets (`app://iir-studio/index.html`) and the
 * stored images (`app://iir-studio/image/<id>`) share one origin, so the page fetches pixels same-origin.
 */
export const appScheme = 'app';
/** The host every `app:` URL names; any other host is refused. */
export const appHost = 'iir-studio';
/** `app://iir-studio`: the page's origin in the desktop app. */
export const appOrigin = `${appScheme}://${appHost}`;

/** The URL the desktop renderer loads a stored image from (absolute, so it also works from the dev server's page). */
export function appImageUrl(id: ImageId): string {
  return `${appOrigin}/image/${encodeURIComponent(id)}`;
}
