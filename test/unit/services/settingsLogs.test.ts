import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/api';
import { createFileLogger } from '../../../main/services/logs';
import { SettingsStore } from '../../../main/services/settings';
import { cacheDir } from '../../setup/global';

const freshDir = () => mkdtempSync(join(cacheDir, 'settings-'));

describe('SettingsStore', () => {
  it('starts from defaults, writes patches atomically and reads them back', async () => {
    const dir = freshDir();
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual(defaultSettings);
    expect(await store.set({ lowMemory: true, provider: 'cpu' })).toMatchObject({ lowMemory: true, provider: 'cpu' });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ lowMemory: true });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const again = await SettingsStore.open(dir);
    expect(again.get()).toMatchObject({ lowMemory: true, provider: 'cpu', catalogs: [] });
  });

  it('keeps a corrupt file aside and uses the defaults, with a notice', async () => {
    for (const content of ['{ not json', JSON.stringify({ lowMemory: 'huge' })]) {
      const dir = freshDir();
      writeFileSync(join(dir, 'settings.json'), content);
      const notices: string[] = [];
      const store = await SettingsStore.open(dir, (message) => notices.push(message));
      expect(store.get()).toEqual(defaultSettings);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/unreadable .* kept as .*settings\.json\.corrupt-/);
      const backup = readdirSync(dir).find((name) => name.startsWith('settings.json.corrupt-'));
      expect(backup && readFileSync(join(dir, backup), 'utf8')).toBe(content);
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual(defaultSettings);
    }
  });

  it('keeps known fields of an older file and fills the rest', async () => {
    const dir = freshDir();
    // theme and workingSize were settings of early versions: dropped, not a reason to reset the file
    const old = { lowMemory: true, theme: 'dark', workingSize: 640, removedLongAgo: 1 };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(old));
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual({ ...defaultSettings, lowMemory: true });
  });
});

describe('createFileLogger', () => {
  it('rotates files and keeps a bounded number', async () => {
    const dir = freshDir();
    const log = createFileLogger(dir, { maxBytes: 200, keep: 2 });
    for (let i = 0; i < 20; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
    log.error('bad', new Error('boom'));
    await log.flush();
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    expect(readFileSync(log.path, 'utf8')).toMatch(/ERROR bad: Error: boom/);
    expect(readFileSync(join(dir, 'logs', 'main.1.log'), 'utf8')).toMatch(/line 1\d/);
    expect(existsSync(join(dir, 'logs', 'main.3.log'))).toBe(false);
  });
});
