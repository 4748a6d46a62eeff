import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The image types the app opens from a command line, the Open dialog and the desktop's "Open with". */
export const imageExtensions: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif'];

/** A path as given, or the local path of a `file:` URL (Linux desktops pass those for `%U`); null for other URLs. */
function localPath(arg: string, cwd: string): string | null {
  if (/^file:/i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null; // a file: URL on another host
    }
  }
  // Other URLs (https:, smb:, …) are not local files; a Windows drive path ("C:\…") is.
  if (/^[a-z][a-z0-9+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) return null;
  return resolve(cwd, arg);
}

/**
 * Image files named on a command line (the app's own, or a second instance's): paths relative to `cwd`, absolute
 * paths and `file:` URLs, skipping switches, other files and names that are not files.
 */
export function imagePathsIn(argv: readonly string[], cwd: string, isPackaged: boolean): string[] {
  return argv
    .slice(isPackaged ? 1 : 2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => localPath(arg, cwd))
    .filter((path): path is string => path !== null && imageExtensions.includes(extname(path).toLowerCase()))
    .filter((path) => existsSync(path) && statSync(path).isFile());
}
