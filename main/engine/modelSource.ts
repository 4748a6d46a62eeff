/**
 * What ONNX Runtime loads for a model file: the file itself, or its graph rewritten in memory — random operators
 * turned into their mean (randomOps.ts), attention computed in query slices (slicedAttention.ts). A rewritten graph
 * keeps its weights where they are: its external data is read from the model's own folder
 * (`session.model_external_initializers_file_folder_path`), so nothing is written to disk.
 */
import { stat, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { graphInventory } from './modelFiles';
import type { ProviderRole } from './providers';
import { classifyRandomOps, withRandomAtMean } from './randomOps';
import { withSlicedAttention } from './slicedAttention';

export interface ModelSource {
  /** The file's path, or the rewritten graph's bytes. */
  readonly source: string | Uint8Array;
  /** Where a rewritten graph's external weights are (the model file's folder). */
  readonly weightsFolder?: string;
  readonly deterministic: boolean;
  readonly notes: readonly string[];
}

/** A graph file larger than this holds its weights inline: its attention is left as it is, not read into JS. */
const slicingMaxBytes = 64 * 2 ** 20;

/** The roles whose attention can be sliced (the diffusion models, run once per step). */
const slicedRoles: readonly ProviderRole[] = ['unet', 'controlnet'];

/**
 * The source for `path`: random operators at their mean when the graph samples, and with `attentionSlices` ≥ 2 the
 * UNet's or ControlNet's attention in that many query slices (when its weights are in external files).
 */
export async function modelSource(path: string, role: ProviderRole, attentionSlices = 1): Promise<ModelSource> {
  const inventory = await graphInventory(path).catch(() => undefined);
  if (!inventory) return plain(path); // ONNX Runtime says what is wrong
  const { fixable, unfixable } = classifyRandomOps(inventory.opTypes);
  if (unfixable.length > 0) return samplingSource(path, role, unfixable.join(', '));
  const slicing = attentionSlices >= 2 && slicedRoles.includes(role) && (await stat(path)).size <= slicingMaxBytes;
  if (fixable.length === 0 && !slicing) return plain(path);
  let bytes: Uint8Array = await readFile(path);
  const notes: string[] = [];
  if (fixable.length > 0) {
    const atMean = withRandomAtMean(bytes);
    if (atMean.remaining > 0) return samplingSource(path, role, `${fixable.join(', ')} with a non-zero mean`);
    bytes = atMean.bytes;
    notes.push(`${role} samples inside its graph (${fixable.join(', ')}); the distribution's mean is used`);
  }
  if (slicing) {
    const sliced = withSlicedAttention(bytes, attentionSlices);
    if (sliced.sliced === 0 && fixable.length === 0) return plain(path);
    bytes = sliced.bytes;
    if (sliced.sliced > 0) {
      notes.push(`${role} attention ran in ${attentionSlices} query slices to save memory (equal to float rounding)`);
    }
  }
  const weightsFolder = inventory.externalFiles.length > 0 ? { weightsFolder: dirname(path) } : {};
  return { source: bytes, ...weightsFolder, deterministic: true, notes };
}

const plain = (path: string): ModelSource => ({ source: path, deterministic: true, notes: [] });

function samplingSource(path: string, role: ProviderRole, why: string): ModelSource {
  return {
    source: path,
    deterministic: false,
    notes: [`${role} samples inside its graph (${why}): the same seed can give a different image`],
  };
}
