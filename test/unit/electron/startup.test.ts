/** main/electron/index.ts under the Electron stand-in: what a failed start leaves behind. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cacheDir } from '../../setup/global';
import { app, dialog, protocol } from './electronStub';

vi.mock('electron', () => import('./electronStub'));

const saved = process.env.IIR_USER_DATA;
afterAll(() => {
  if (saved === undefined) delete process.env.IIR_USER_DATA;
  else process.env.IIR_USER_DATA = saved;
});

describe('starting the desktop app', () => {
  it('registers app: as privileged before the app is ready', async () => {
    const userData = mkdtempSync(join(cacheDir, 'startup-'));
    // An unreadable settings file (here a folder by that name) makes the services fail to start.
    mkdirSync(join(userData, 'settings.json'));
    process.env.IIR_USER_DATA = userData;
    await import('../../../main/electron/index');

    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      {
        scheme: 'app',
        privileges: expect.objectContaining({
          standard: true,
          secure: true,
          supportFetchAPI: true,
          corsEnabled: true,
        }) as unknown,
      },
    ]);
    const registered = protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]!;
    expect(registered).toBeLessThan(app.whenReady.mock.invocationCallOrder[0]!);

    // …and a start that fails says why, releases the single-instance lock and exits.
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(1));
    expect(dialog.showErrorBox).toHaveBeenCalledTimes(1);
    const [title, message] = dialog.showErrorBox.mock.calls[0] as [string, string];
    expect(title).toBe('IIR Studio could not start');
    expect(message).toMatch(/^cannot read the settings file .*settings\.json/);
    expect(message).toContain(join(userData, 'logs', 'main.log'));
    expect(message).not.toMatch(/\n\s+at /);
    expect(app.releaseSingleInstanceLock).toHaveBeenCalledTimes(1);
    expect(protocol.handle).not.toHaveBeenCalled();
  });
});
