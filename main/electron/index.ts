/**
 * The Electron main process: one window, the typed IPC, the `iir-image:` protocol, menus and dialogs. Inference runs
 * in the engine utility process, never here.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { type BrowserWindow, Menu, app, dialog } from 'electron';
import type { ImageInfo } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import { utilityLauncher } from '../engine/process/utilityLauncher';
import { forwardEvents, registerIpc } from '../ipc/electron';
import { userDataDir } from '../paths';
import { type AppServices, createAppServices } from '../services/app';
import { buildMenu } from './menu';
import { handleImageProtocol, registerImageScheme } from './protocol';
import { createMainWindow, isTrustedSender } from './window';

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif']);

/** Image files named on a command line (the app's own, or a second instance's). */
function imagePathsIn(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(app.isPackaged ? 1 : 2)
    .filter((arg) => !arg.startsWith('-') && imageExtensions.has(extname(arg).toLowerCase()))
    .map((arg) => resolve(cwd, arg))
    .filter((path) => existsSync(path) && statSync(path).isFile());
}

registerImageScheme();
// The CLI and serve mode compute the same folder; IIR_USER_DATA moves all three (tests, portable installs).
app.setPath('userData', userDataDir());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let services: AppServices | undefined;
  let window: BrowserWindow | undefined;
  const pendingPaths: string[] = imagePathsIn(process.argv, process.cwd());

  const openPaths = async (paths: readonly string[]): Promise<void> => {
    if (!services || !window) {
      pendingPaths.push(...paths);
      return;
    }
    for (const path of paths) {
      try {
        const info: ImageInfo = await services.images.open({ path });
        services.emitter.emit('app:opened', info);
      } catch (error) {
        const message = isIirError(error) ? error.message : `cannot open ${path}`;
        if (!isIirError(error)) services.log.error(`opening ${path} failed`, error);
        services.emitter.emit('app:notice', { level: 'error', message });
      }
    }
  };

  app.on('second-instance', (_event, argv, cwd) => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    void openPaths(imagePathsIn(argv, cwd));
  });

  // macOS: files dropped on the Dock icon or opened from Finder, possibly before the app is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void openPaths([path]);
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
  });

  void app.whenReady().then(async () => {
    const created = await createAppServices({
      userDataDir: userDataDir(),
      launcher: utilityLauncher(join(import.meta.dirname, 'engine.js')),
      showSaveDialog: async (defaultName, format) => {
        const options = {
          defaultPath: defaultName,
          filters: [
            {
              name: format.toUpperCase(),
              extensions: format === 'jpeg' ? ['jpg', 'jpeg'] : format === 'tiff' ? ['tif', 'tiff'] : [format],
            },
          ],
        };
        const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
        return result.canceled || !result.filePath ? null : result.filePath;
      },
    });
    services = created;
    handleImageProtocol(created.images);
    registerIpc(created.router, isTrustedSender);
    const mainWindow = createMainWindow();
    window = mainWindow;
    forwardEvents(created.emitter, mainWindow.webContents);
    mainWindow.on('closed', () => {
      window = undefined;
    });
    mainWindow.webContents.once('did-finish-load', () => {
      for (const message of created.startupNotices) created.emitter.emit('app:notice', { level: 'warning', message });
      void openPaths(pendingPaths.splice(0));
    });
    Menu.setApplicationMenu(
      buildMenu((action) => {
        if (action !== 'open') return created.emitter.emit('app:menu', { command: action });
        void (async () => {
          const result = await dialog.showOpenDialog(mainWindow, {
            properties: ['openFile'],
            filters: [{ name: 'Images', extensions: [...imageExtensions].map((ext) => ext.slice(1)) }],
          });
          if (!result.canceled) await openPaths(result.filePaths);
        })();
      }),
    );
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void services?.dispose();
  });
}
