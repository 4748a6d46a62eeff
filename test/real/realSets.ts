/**
 * Which installed model folders hold real weights rather than test fixtures. A set is sized by all its files: a
 * real fp32 export keeps its weights beside a small graph (`model.onnx` 0.76 MB + `model.onnx_data` 1.4 GB).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of every file under `dir` (0 when it does not exist). */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** Real weights: the sub-folder `sub` of `dir` (the whole folder when omitted) holds over 50 MB in all its files. */
export function isRealModel(dir: string, sub = '.'): boolean {
  return folderBytes(join(dir, sub)) > 50_000_000;
}
