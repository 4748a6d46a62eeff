/**
 * A stand-in for the `electron` module (the binary cannot run here), for `vi.mock('electron', …)`: it records what
 * main asks of Electron, and lets a test fire app and utility-process events.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { vi } from 'vitest';

/** A utility process: events, piped stdout/stderr, no real child. */
export class FakeUtilityProcess extends EventEmitter {
  readonly pid = 4242;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly postMessage = vi.fn();
  readonly kill = vi.fn(() => true);
}

const forked: FakeUtilityProcess[] = [];

class FakeApp extends EventEmitter {
  isPackaged = false;
  readonly setPath = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly releaseSingleInstanceLock = vi.fn();
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly whenReady = vi.fn(() => Promise.resolve());
}

export const app = new FakeApp();
export const dialog = { showErrorBox: vi.fn(), showOpenDialog: vi.fn(), showSaveDialog: vi.fn() };
export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() };
export const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() };
export const Menu = { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn(() => ({})) };
export const shell = { openExternal: vi.fn() };
export const BrowserWindow = vi.fn(() => {
  throw new Error('the stub opens no windows');
});
export const utilityProcess = {
  fork: vi.fn(() => {
    const child = new FakeUtilityProcess();
    forked.push(child);
    return child;
  }),
  forked,
};

export default { app, dialog, protocol, ipcMain, Menu, shell, BrowserWindow, utilityProcess };
