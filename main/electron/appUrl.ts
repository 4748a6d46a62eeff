import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the renderer comes from: the dev server during `electron-vite dev`, else the built files. */
export function rendererUrl(): string {
  const devServer = process.env.ELECTRON_RENDERER_URL;
  if (devServer) return devServer;
  return pathToFileURL(join(import.meta.dirname, '..', 'renderer', 'index.html')).href;
}

/**
 * True when `url` is the app's own page: the same origin as the renderer, or for file: the same file on this machine
 * (an empty host: `file://server/share/...` names a file on another computer, a UNC path on Windows).
 */
export function isAppUrl(url: string, appUrl: string = rendererUrl()): boolean {
  const app = new URL(appUrl);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return app.protocol === 'file:'
    ? target.protocol === 'file:' && target.host === '' && target.pathname === app.pathname
    : target.origin === app.origin;
}
