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
export const Menu = { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((_template: unknown) => ({})) };
export const shell = { openExternal: vi.fn() };
export const BrowserWindow = vi.fn(() => {
  throw new Error('the stub opens no windows');
});
/**
 * A keychain: "encrypts" by a reversible byte twist, so a sealed secret never shows its
 * plaintext; `available` and `backend` set what the OS would say (no keyring: false, or Linux's `basic_text`).
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable: vi.fn(() => safeStorage.available),
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  encryptString: vi.fn((text: string) => {
    if (!safeStorage.available) throw new Error('Encryption is not available.');
    return Buffer.from(Buffer.from(`sealed:${text}`, 'utf8').map((byte) => byte ^ 0x5a));
  }),
  decryptString: vi.fn((sealed: Buffer) => {
    const text = Buffer.from(sealed.map((byte) => byte ^ 0x5a)).toString('utf8');
    if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.');
    return text.slice('sealed:'.length);
  }),
};
export const utilityProcess = {
  fork: vi.fn(() => {
    const child = new FakeUtilityProcess();
    forked.push(child);
    return child;
  }),
  forked,
};

export default { app, dialog, protocol, ipcMain, Menu, shell, BrowserWindow, utilityProcess, safeStorage };
