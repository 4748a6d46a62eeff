import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type Settings, defaultSettings, settingsSchema } from '../../shared/api';
import { IirError } from '../../shared/errors';
import { writeFileAtomic } from '../files/atomicWrite';

/** The settings file name inside the user-data folder. */
export const settingsFileName = 'settings.json';

/** What {@link SettingsStore.open} tells the user when a settings file could not be used. */
export type SettingsNotice = (message: string) => void;

/**
 * The settings: a JSON file in the user-data folder, validated on load and written atomically. Fields missing from
 * the file take their defaults; a file that is not valid JSON or breaks the schema is kept aside as
 * `settings.json.corrupt-<time>` and replaced by the defaults, with a notice, never a crash.
 */
export class SettingsStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: Settings,
  ) {}

  /** Loads (or creates) the settings in `userDataDir`. */
  static async open(userDataDir: string, notice: SettingsNotice = () => undefined): Promise<SettingsStore> {
    const path = join(userDataDir, settingsFileName);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SettingsStore(path, { ...defaultSettings });
      throw new IirError('io_error', `cannot read the settings file ${path}: ${(error as Error).message}`);
    }
    const parsed = parseSettings(text);
    if (parsed.ok) return new SettingsStore(path, parsed.settings);
    const backup = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, backup);
    const store = new SettingsStore(path, { ...defaultSettings });
    await store.save();
    notice(
      `The settings file was unreadable (${parsed.reason}); it was kept as ${backup} and the defaults are in use.`,
    );
    return store;
  }

  /** The current settings. */
  get(): Settings {
    return structuredClone(this.current);
  }

  /**
   * Applies a validated patch, writes the file and answers the new settings. (`settings:set` narrows what the renderer
   * may patch; main also writes the fields only it owns, such as the remembered queue.)
   */
  async set(patch: Partial<Settings>): Promise<Settings> {
    const next = settingsSchema.parse({ ...this.current, ...patch });
    this.current = next;
    await this.save();
    return this.get();
  }

  /** Resolves when pending writes are done. */
  async flush(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify(this.current, null, 2)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.path, text, { createFolders: true }));
    return this.writing;
  }
}

function parseSettings(text: string): { ok: true; settings: Settings } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const result = settingsSchema.partial().safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const settings: Settings = { ...defaultSettings };
  for (const [key, value] of Object.entries(result.data)) {
    if (value !== undefined) (settings as Record<string, unknown>)[key] = value;
  }
  return { ok: true, settings };
}
