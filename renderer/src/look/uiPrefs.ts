/**
 * Preferences of the editor's look (theme, collapsed sections), kept in the renderer's own storage: they are not
 * settings main needs, and they must apply before the first paint. A storage that is missing or refuses (a
 * private window, a full disk) only means the defaults.
 */
const prefix = 'iir.ui.';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The stored value of `key`, or `fallback` when none is stored or it does not pass `isValid`. */
export function readPref<T>(key: string, fallback: T, isValid: (value: unknown) => value is T): T {
  try {
    const raw = storage()?.getItem(prefix + key);
    if (raw === null || raw === undefined) return fallback;
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

/** Stores `value` under `key`; a storage that refuses keeps the value for this session only. */
export function writePref(key: string, value: unknown): void {
  try {
    storage()?.setItem(prefix + key, JSON.stringify(value));
  } catch {
    // The choice still applies until the window closes.
  }
}
