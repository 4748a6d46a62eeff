/**
 * The files one ONNX graph loads: the graph file and the external data files its initializers name, and what its
 * operators are (cached per path, size and mtime, so a model is read once per process until it changes).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readOnnxInventory, type OnnxInventory } from '../models/onnxInventory';
import type { WeightBytes } from './memoryPlan';
import type { ModelSet } from './modelSet';
import type { ProviderRole } from './providers';

const cache = new Map<string, { size: number; mtimeMs: number; inventory: Promise<OnnxInventory> }>();

/** The {@link OnnxInventory} of `path`, cached. */
export async function graphInventory(path: string): Promise<OnnxInventory> {
  const info = await stat(path);
  const known = cache.get(path);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.inventory;
  const inventory = readOnnxInventory(path);
  cache.set(path, { size: info.size, mtimeMs: info.mtimeMs, inventory });
  inventory.catch(() => cache.delete(path));
  return inventory;
}

/** `path` and every external data file it loads that exists (absolute paths, the graph first). */
export async function graphFiles(path: string): Promise<string[]> {
  const { externalFiles } = await graphInventory(path);
  const dir = dirname(path);
  return [path, ...externalFiles.map((f) => join(dir, f)).filter((f) => existsSync(f))];
}

/** Bytes on disk of every file `path` loads (the graph and its external data): its weights' size in memory on CPU. */
export async function graphBytes(path: string): Promise<number> {
  let total = 0;
  for (const file of await graphFiles(path)) total += (await stat(file)).size;
  return total;
}

/** Bytes on disk of every file each role of `set` loads (the fused graph standing for the UNet and ControlNet). */
export async function setWeights(set: ModelSet): Promise<WeightBytes> {
  const weights: WeightBytes = {};
  for (const [role, path] of Object.entries(set.files)) {
    weights[role as ProviderRole] = await graphBytes(role === 'unet' ? (set.fusedGraph ?? path) : path);
  }
  if (set.fusedGraph) delete weights.controlnet;
  return weights;
}
