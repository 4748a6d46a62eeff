import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where tests put generated files (fixture models, outputs). Never committed. */
export const cacheDir = join(import.meta.dirname, '..', '..', '.cache', 'test');

export default function setup(): void {
  mkdirSync(cacheDir, { recursive: true });
}
