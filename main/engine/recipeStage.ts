/**
 * The recipe stage: model records (SHA-256 of every file each graph loads — the graph and its external weights)
 * and the {@link EditRecipe} of one variation, including whether the same seed reproduces the same bytes.
 */
import { relative } from 'node:path';
import { graphFiles } from './modelFiles';
import { rolesOf, type ModelSet } from './modelSet';
import type { PreparedEdit, FramePlan } from './stages';
import { sha256Cached } from './hashes';
import { appVersion, colourRecord, type EditRecipe } from './recipe';
import type { ModelSessions } from './sessions';

type ModelRecord = { id: string; files: Record<string, string> };

/** The recipe's model records: the SD set's files and the split ControlNet's (null when fused). */
export interface ModelRecords {
  readonly sd: ModelRecord;
  readonly controlnet: ModelRecord | null;
}

async function modelRecord(
  id: string,
  dir: string,
  graphs: readonly string[],
  cachePath: string | undefined,
): Promise<ModelRecord> {
  const out: Record<string, string> = {};
  for (const graph of graphs) {
    for (const file of await graphFiles(graph)) {
      out[relative(dir, file).split('\\').join('/')] = await sha256Cached(file, cachePath);
    }
  }
  return { id, files: out };
}

/** Hashes every file the model set's graphs load (cached by path, size and mtime in `cachePath`). */
export async function hashModelSet(set: ModelSet, cachePath: string | undefined): Promise<ModelRecords> {
  const sdGraphs = [set.files.text_encoder, set.files.unet, set.files.vae_encoder, set.files.vae_decoder];
  const [sd, controlnet] = await Promise.all([
    modelRecord(set.sd.id, set.sd.dir, sdGraphs, cachePath),
    set.controlnet && set.files.controlnet
      ? modelRecord(set.controlnet.id, set.controlnet.dir, [set.files.controlnet], cachePath)
      : Promise.resolve(null),
  ]);
  return { sd, controlnet };
}

/** What one variation's recipe is made of. */
export interface RecipeInput {
  readonly prepared: PreparedEdit;
  readonly frame: FramePlan;
  readonly seed: number;
  readonly timesteps: readonly number[];
  readonly models: ModelRecords;
  readonly sessions: ModelSessions;
}

/** Provider, fallbacks and determinism per role, from the sessions that ran. */
function sessionFacts(set: ModelSet, sessions: ModelSessions) {
  const providers: Record<string, string> = {};
  const fallbacks: Record<string, string[]> = {};
  const notes: string[] = [];
  let exact = true;
  for (const role of rolesOf(set)) {
    const h = sessions.history.get(role);
    if (h) {
      providers[role] = h.provider;
      fallbacks[role] = [...h.fallbacks];
      notes.push(...h.notes);
      exact &&= h.deterministic;
    }
  }
  return { providers, fallbacks, reproducible: { exact, notes } };
}

/** The recipe of one variation. */
export function buildRecipe(input: RecipeInput): EditRecipe {
  const { prepared, seed } = input;
  const { options: o, set, strength } = prepared;
  const { frame } = input.frame.prep;
  const { providers, fallbacks, reproducible } = sessionFacts(set, input.sessions);
  return {
    app: { name: 'IIR Studio', version: appVersion() },
    prompt: o.prompt,
    negativePrompt: o.negativePrompt,
    seed,
    engine: set.engine,
    controlForm: set.form,
    params: {
      noise: o.noise,
      gray: o.gray,
      noiseScope: o.noiseScope,
      cannyLow: o.cannyLow,
      cannyHigh: o.cannyHigh,
      strength,
      steps: o.steps,
      guidance: o.guidance,
      controlScale: o.controlScale,
      controlStart: o.controlStart,
      controlEnd: o.controlEnd,
      scheduler: o.scheduler,
      size: o.size,
      focus: o.focus,
      featherPx: o.featherPx,
      dilatePx: o.dilatePx,
      keepLightness: o.keepLightness,
      lowMemory: o.lowMemory,
    },
    workingFrame: { sourcePx: { ...frame.sourcePx }, width: frame.width, height: frame.height },
    timesteps: [...input.timesteps],
    models: { sd: input.models.sd, controlnet: input.models.controlnet },
    providers,
    fallbacks,
    reproducible,
    colour: colourRecord(prepared.source.colour),
  };
}
