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

/** The default models folder: `--models` or `IIR_MODELS_DIR` override it, then the settings, then this. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.IIR_MODELS_DIR ?? join(userDataDir(env), 'models');
}
