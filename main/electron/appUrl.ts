/**
 * Which page is the app's own. The renderer is `app://iir-studio/index.html` (during `npm run dev`, the dev server's
 * page); only that page may navigate in the window or call the API. Origins are compared, never file paths.
 */
import type { WebFrameMain } from 'electron';
import { appHost, appOrigin, appScheme } from '../../shared/api/appScheme';

/** The dev server `electron-vite dev` starts, if any. */
export function devServerUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ELECTRON_RENDERER_URL || undefined;
}

/** Where the window loads the renderer from: the dev server during `npm run dev`, else the `app:` scheme. */
export function rendererUrl(env: NodeJS.ProcessEnv = process.env): string {
  return devServerUrl(env) ?? `${appOrigin}/index.html`;
}

/** True when `url` is on the renderer's origin: `app://iir-studio` (or the dev server's http origin). */
export function isAppUrl(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const devServer = devServerUrl(env);
  if (devServer) return target.origin === new URL(devServer).origin;
  // Node's URL gives custom schemes an opaque origin ("null"), so compare the scheme and host themselves.
  return (
    target.protocol === `${appScheme}:` &&
    target.host.toLowerCase() === appHost &&
    target.username === '' &&
    target.port === ''
  );
}

/** The only frame that may call the API: a window's top frame showing the app's page. */
export function isTrustedSender(
  frame: Pick<WebFrameMain, 'url' | 'parent'> | null,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url, env);
}
