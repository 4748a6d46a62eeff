/**
 * The Electron main process: one window, the typed IPC, the `app:` scheme (renderer and images), menus and
 * dialogs. Inference runs in the engine utility process, never here.
 */
import { join } from 'node:path';
import { type BrowserWindow, Menu, app, dialog } from 'electron';
import type { ImageInfo } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import { utilityLauncher } from '../engine/process/utilityLauncher';
import { forwardEvents, registerIpc } from '../ipc/electron';
import { userDataDir } from '../paths';
import { type AppServices, createAppServices } from '../services/app';
import { type Logger, createFileLogger } from '../services/logs';
import { devServerUrl, isTrustedSender } from './appUrl';
import { imageExtensions, imagePathsIn } from './launchArgs';
import { buildMenu } from './menu';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { safeStorageBox } from './secretBox';
import { failStartup } from './startup';
import { createMainWindow } from './window';

registerAppScheme();
// The CLI and serve mode compute the same folder; IIR_USER_DATA moves all three (tests, portable installs).
app.setPath('userData', userDataDir());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let services: AppServices | undefined;
  let window: BrowserWindow | undefined;
  let log: Logger | undefined;
  const pendingPaths: string[] = imagePathsIn(process.argv, process.cwd(), app.isPackaged);

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

  const showOpenDialog = async (parent: BrowserWindow): Promise<void> => {
    const result = await dialog.showOpenDialog(parent, {
      properties: ['openFile'],
      filters: [{ name: 'Images', extensions: imageExtensions.map((ext) => ext.slice(1)) }],
    });
    if (!result.canceled) await openPaths(result.filePaths);
  };

  /** Services, the `app:` scheme, IPC, the window and the menu; any failure ends in {@link failStartup}. */
  const start = async (): Promise<void> => {
    const dataDir = userDataDir();
    log = createFileLogger(dataDir, { echo: !app.isPackaged });
    const created = await createAppServices({
      userDataDir: dataDir,
      logger: log,
      launcher: utilityLauncher(join(import.meta.dirname, 'engine.js'), log),
      secrets: safeStorageBox(),
      showSaveDialog: async (defaultName, format) => {
        // The path answered is the only one `images:export` will write (once); Linux asks before replacing a file
        // only when told to.
        const options: Electron.SaveDialogOptions = {
          defaultPath: defaultName,
          filters: [
            {
              name: format.toUpperCase(),
              extensions: format === 'jpeg' ? ['jpg', 'jpeg'] : format === 'tiff' ? ['tif', 'tiff'] : [format],
            },
          ],
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        };
        const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
        return result.canceled || !result.filePath ? null : result.filePath;
      },
    });
    services = created;
    // The remembered queue reconnects in the background; the window never waits for it.
    created.remote.resume();
    const devServer = devServerUrl();
    handleAppProtocol(
      created.images,
      join(import.meta.dirname, '..', 'renderer'),
      devServer && new URL(devServer).origin,
    );
    registerIpc(created.router, (frame) => isTrustedSender(frame));
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
        void showOpenDialog(mainWindow);
      }),
    );
  };

  app.on('second-instance', (_event, argv, cwd) => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    void openPaths(imagePathsIn(argv, cwd, app.isPackaged));
  });

  // macOS: files dropped on the Dock icon or opened from Finder, possibly before the app is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void openPaths([path]);
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
  });

  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => failStartup(error, log, join(userDataDir(), 'logs', 'main.log')));

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void services?.dispose();
  });
}
