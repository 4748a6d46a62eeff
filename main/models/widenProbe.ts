/**
 * Whether an installed model holds fp16 (so `models widen` can make its fp32 variant), for the Models sheet. It
 * reads each graph's structure, not its weights, and remembers the answer per graph file until its size or
 * modification time changes, so listing the installed models stays cheap.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelRole } from './catalogSchema';
import { readModelLayout } from './quantizeRead';
import type { Receipt } from './receipt';
import { halfCensus } from './widenGraph';

/** The roles whose fp32 variant the Models sheet offers (the ones the denoiser runs, as for int8). */
export const widenableRoles: readonly ModelRole[] = ['sd15', 'lcm', 'controlnet-canny', 'controlnet-iir'];

const known = new Map<string, boolean>();

async function graphHasHalf(file: string): Promise<boolean> {
  const { size, mtimeMs } = await stat(file);
  const key = `${file}:${size}:${mtimeMs}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const census = halfCensus(await readModelLayout(file));
  const half = census.initializers + census.others > 0;
  known.set(key, half);
  return half;
}

/** True when a graph of the model (at `dir`) holds fp16 weights or values; false when none does or one is unreadable. */
export async function holdsFloat16(dir: string, receipt: Receipt): Promise<boolean> {
  if (!widenableRoles.includes(receipt.role) || receipt.derived) return false;
  for (const f of receipt.files.filter((e) => e.path.endsWith('.onnx'))) {
    if (await graphHasHalf(join(dir, f.path)).catch(() => false)) return true;
  }
  return false;
}
