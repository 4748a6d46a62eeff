import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The application's name as Electron's `app.getName()` sees it; the user-data folder is named after it. */
export const appName = 'IIR Studio';

/**
 * The per-user data folder, the same one Electron's `app.getPath('userData')` returns, so the CLI, serve mode and
 * the desktop app share settings and models. `IIR_USER_DATA` overrides it (tests, portable installs).
 */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.IIR_USER_DATA) return env.IIR_USER_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', appName);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), appName);
}

/**
 * The per-user folder for large local data (models): not roamed or synced like `userData` on Windows, not under
 * `~/.config` on Linux. `%LOCALAPPDATA%\IIR Studio`, `$XDG_DATA_HOME/IIR Studio` (`~/.local/share`), and on macOS
 * the same Application Support folder as the user data. `IIR_USER_DATA` moves it too.
 */
export function localDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.IIR_USER_DATA) return env.IIR_USER_DATA;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), appName);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', appName);
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), appName);
}

/**
 * The default models folder: `--models` or `IIR_MODELS_DIR` override it, then the settings, then this. Models
 * downloaded by an earlier version into `<userData>/models` stay in use there (they are gigabytes), never moved.
 */
export function defaultModelsDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.IIR_MODELS_DIR) return env.IIR_MODELS_DIR;
  const earlier = join(userDataDir(env, platform), 'models');
  const local = join(localDataDir(env, platform), 'models');
  return local !== earlier && existsSync(earlier) ? earlier : local;
}
