import { lstat } from 'node:fs/promises';
import { invalidArgument } from '../../shared/errors';

/** `--force`, declared once for every command that writes files: without it nothing that exists is replaced. */
export const forceOption = {
  force: { type: 'boolean', description: 'replace output files that already exist (default: refuse)' },
} as const;

/**
 * Refuses, before any work is done, to write over files that exist unless `--force` was given. The write itself
 * refuses again atomically (`overwrite: false`), in case a file appears meanwhile.
 */
export async function refuseExisting(paths: readonly string[], force: boolean): Promise<void> {
  if (force) return;
  for (const path of paths) {
    if (await lstat(path).catch(() => null))
      throw invalidArgument(`${path} already exists; pass --force to replace it`);
  }
}
