import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Settings, defaultSettings, settingsPatchSchema, visibleSettings } from '../../../shared/api';
import { safeStorageBox } from '../../../main/electron/secretBox';
import { parseQueueUrl } from '../../../main/queue/connection';
import { QueueMemory } from '../../../main/queue/queueMemory';
import { SettingsStore } from '../../../main/services/settings';
import { cacheDir } from '../../setup/global';
import { safeStorage } from './electronStub';

vi.mock('electron', () => import('./electronStub'));

const password = 'Pa55:w@rd/%zz';
const url = `redis://iir:${encodeURIComponent(password)}@queue-host:6380/3`;
const freshDir = () => mkdtempSync(join(cacheDir, 'queue-memory-'));
const fileBytes = (dir: string) => readFileSync(join(dir, 'settings.json'));
/** The settings file as stored, parsed. */
const stored = (dir: string) => JSON.parse(fileBytes(dir).toString('utf8')) as Settings;

/** Remembers `url` in a fresh settings folder, then reopens the folder as the next start would. */
async function rememberThenRestart(): Promise<{ dir: string; again: QueueMemory }> {
  const dir = freshDir();
  await new QueueMemory(await SettingsStore.open(dir), safeStorageBox()).remember(parseQueueUrl(url));
  return { dir, again: new QueueMemory(await SettingsStore.open(dir), safeStorageBox()) };
}

afterEach(() => {
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
});

describe('the remembered remote queue', () => {
  it('keeps the password sealed by the keychain and gives it back at the next start', async () => {
    const { dir, again } = await rememberThenRestart();
    const bytes = fileBytes(dir);
    expect(bytes.includes(password)).toBe(false);
    expect(bytes.includes(encodeURIComponent(password))).toBe(false);
    expect(stored(dir).remoteQueue).toMatchObject({ address: 'redis://iir@queue-host:6380/3', needsPassword: false });
    expect(stored(dir).remoteQueue!.sealedPassword).toEqual(expect.any(String));
    const recalled = again.recall()!;
    expect(recalled.needsPassword).toBe(false);
    expect(recalled.address.options).toMatchObject({
      host: 'queue-host',
      port: 6380,
      db: 3,
      username: 'iir',
      password,
    });
    expect(recalled.address.display).toBe('redis://queue-host:6380/3');
  });

  it('keeps only the address where there is no keychain, and asks for the password', async () => {
    safeStorage.available = false;
    const { dir, again } = await rememberThenRestart();
    expect(fileBytes(dir).includes(password)).toBe(false);
    expect(stored(dir).remoteQueue).toEqual({
      address: 'redis://iir@queue-host:6380/3',
      sealedPassword: null,
      needsPassword: true,
    });
    const recalled = again.recall()!;
    expect(recalled.needsPassword).toBe(true);
    expect(recalled.address.options.password).toBeUndefined();
  });

  it("treats Linux's basic_text backend (no keyring) as no keychain", async () => {
    safeStorage.backend = 'basic_text';
    const platform = vi.spyOn(process, 'platform', 'get').mockReturnValue('linux');
    try {
      const { dir, again } = await rememberThenRestart();
      expect(stored(dir).remoteQueue!.sealedPassword).toBeNull();
      expect(again.recall()!.needsPassword).toBe(true);
    } finally {
      platform.mockRestore();
    }
  });

  it('asks for the password when the keychain can no longer open it, or is gone', async () => {
    const { dir } = await rememberThenRestart();
    const settings = stored(dir);
    settings.remoteQueue!.sealedPassword = Buffer.from('not sealed by this keychain').toString('base64');
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
    expect(new QueueMemory(await SettingsStore.open(dir), safeStorageBox()).recall()).toMatchObject({
      needsPassword: true,
      unsealable: true,
    });
    const plainNode = await rememberThenRestart();
    expect(new QueueMemory(await SettingsStore.open(plainNode.dir), null).recall()!.needsPassword).toBe(true);
  });

  it('remembers a queue without a password as ready, and forgets it', async () => {
    const dir = freshDir();
    const memory = new QueueMemory(await SettingsStore.open(dir), null);
    await memory.remember(parseQueueUrl('rediss://gpu-box/0'));
    expect(memory.recall()).toMatchObject({ needsPassword: false, address: { display: 'rediss://gpu-box/0' } });
    await memory.forget();
    expect(memory.recall()).toBeNull();
    expect(stored(dir).remoteQueue).toBeNull();
  });

  it('loads an older settings file without it, and keeps it from the renderer', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ lowMemory: true, provider: 'cpu' }));
    const store = await SettingsStore.open(dir);
    expect(store.get()).toEqual({ ...defaultSettings, lowMemory: true, provider: 'cpu' });
    expect(new QueueMemory(store, safeStorageBox()).recall()).toBeNull();
    await new QueueMemory(store, safeStorageBox()).remember(parseQueueUrl(url));
    expect(visibleSettings(store.get())).not.toHaveProperty('remoteQueue');
    const patch = { remoteQueue: { address: 'redis://evil:6379/0', sealedPassword: null, needsPassword: false } };
    expect(settingsPatchSchema.safeParse(patch).success).toBe(false);
  });

  it('refuses a remembered address that holds a password (a hand-edited file)', async () => {
    const dir = freshDir();
    const remoteQueue = { address: 'redis://:secret@queue-host:6379/0', sealedPassword: null, needsPassword: false };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ remoteQueue }));
    const notices: string[] = [];
    const store = await SettingsStore.open(dir, (message) => notices.push(message));
    expect(store.get().remoteQueue).toBeNull();
    expect(notices[0]).toMatch(/remoteQueue/);
  });
});
