import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type WebFrameMain, shell } from 'electron';

/** Where the renderer comes from: the dev server during `electron-vite dev`, else the built files. */
export function rendererUrl(): string {
  const devServer = process.env.ELECTRON_RENDERER_URL;
  if (devServer) return devServer;
  return pathToFileURL(join(import.meta.dirname, '..', 'renderer', 'index.html')).href;
}

/** True when `url` is the app's own page (same origin as the renderer; for file: the same file). */
export function isAppUrl(url: string): boolean {
  const app = new URL(rendererUrl());
  const target = new URL(url);
  return app.protocol === 'file:'
    ? target.protocol === 'file:' && target.pathname === app.pathname
    : target.origin === app.origin;
}

/** The only frame that may call the API: a window's top frame showing the app's page. */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

/**
 * The one window: context-isolated, sandboxed, no Node in the renderer, the preload as its only bridge; navigation,
 * new windows and permission requests are denied (links to the web open in the browser).
 */
export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'IIR Studio',
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  const contents = window.webContents;
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl());
  return window;
}
