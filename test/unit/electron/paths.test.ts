import { mkdirSync, mkdtempSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelsDir, localDataDir, userDataDir } from '../../../main/paths';
import { cacheDir } from '../../setup/global';

describe('where models live by default', () => {
  it('is a local (not roaming, not config) data folder on each system', () => {
    const local = 'C:\\Users\\ada\\AppData\\Local';
    const roaming = 'C:\\Users\\ada\\AppData\\Roaming';
    const win = { LOCALAPPDATA: local, APPDATA: roaming };
    expect(defaultModelsDir(win, 'win32')).toBe(join(local, 'IIR Studio', 'models'));
    expect(userDataDir(win, 'win32')).toBe(join(roaming, 'IIR Studio'));
    expect(defaultModelsDir({}, 'linux')).toBe(join(homedir(), '.local', 'share', 'IIR Studio', 'models'));
    expect(defaultModelsDir({ XDG_DATA_HOME: '/data/ada' }, 'linux')).toBe(join('/data/ada', 'IIR Studio', 'models'));
    expect(defaultModelsDir({}, 'darwin')).toBe(
      join(homedir(), 'Library', 'Application Support', 'IIR Studio', 'models'),
    );
  });

  it('follows IIR_MODELS_DIR, then IIR_USER_DATA', () => {
    expect(defaultModelsDir({ IIR_MODELS_DIR: '/m', IIR_USER_DATA: '/u' }, 'linux')).toBe('/m');
    expect(defaultModelsDir({ IIR_USER_DATA: '/u' }, 'win32')).toBe(join('/u', 'models'));
    expect(localDataDir({ IIR_USER_DATA: '/u' }, 'linux')).toBe('/u');
  });

  it('keeps using models an earlier version downloaded into the user-data folder', () => {
    const config = mkdtempSync(join(cacheDir, 'xdg-config-'));
    const data = mkdtempSync(join(cacheDir, 'xdg-data-'));
    const env = { XDG_CONFIG_HOME: config, XDG_DATA_HOME: data };
    expect(defaultModelsDir(env, 'linux')).toBe(join(data, 'IIR Studio', 'models'));
    mkdirSync(join(config, 'IIR Studio', 'models'), { recursive: true });
    expect(defaultModelsDir(env, 'linux')).toBe(join(config, 'IIR Studio', 'models'));
  });
});
