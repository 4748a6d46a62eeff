import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultModelsDir, userDataDir } from '../paths';

/** The settings the model manager reads: the models folder, extra catalogs, and a hub token. */
export interface ModelSettings {
  modelsDir: string | null;
  catalogs: string[];
  hubToken: string | null;
}

/**
 * Reads the model fields of `<userData>/settings.json` without changing the file (the settings service owns it).
 * A missing or unreadable file means defaults: a command-line tool must still work with broken settings.
 */
export async function readModelSettings(env: NodeJS.ProcessEnv = process.env): Promise<ModelSettings> {
  const empty: ModelSettings = { modelsDir: null, catalogs: [], hubToken: null };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(userDataDir(env), 'settings.json'), 'utf8'));
  } catch {
    return empty;
  }
  if (typeof json !== 'object' || json === null) return empty;
  const s = json as Record<string, unknown>;
  return {
    modelsDir: typeof s.modelsDir === 'string' && s.modelsDir !== '' ? s.modelsDir : null,
    catalogs: Array.isArray(s.catalogs) ? s.catalogs.filter((c): c is string => typeof c === 'string') : [],
    hubToken: typeof s.hubToken === 'string' && s.hubToken !== '' ? s.hubToken : null,
  };
}

/** The models folder: `--models`, then `IIR_MODELS_DIR`, then the settings, then `<userData>/models`. */
export function resolveModelsDir(flag: string | undefined, settings: ModelSettings, env = process.env): string {
  if (flag) return resolve(flag);
  if (env.IIR_MODELS_DIR) return resolve(env.IIR_MODELS_DIR);
  if (settings.modelsDir) return resolve(settings.modelsDir);
  return defaultModelsDir(env);
}
