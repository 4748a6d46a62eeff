/**
 * Model sets: an SD1.5 folder (diffusers/Optimum ONNX layout) plus a ControlNet, split (a ControlNet folder + the
 * OnnxStack residual UNet `controlnet/model.onnx`) or fused (an SD folder whose `unet/model.onnx` itself takes
 * `controlnet_conds`, or a split pair fused at install time by `models fuse`). The ControlNet's declared control channel count selects the engine (architecture.md §2).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import type { ControlChannels } from '../../shared/image/control';
import { currentFusedGraph } from '../models/fuse';
import { readOnnxSignature, type OnnxTensorInfo } from '../models/onnxHeader';
import { listInstalled, resolveModel } from '../models/receipt';
import type { EngineKind } from '../../shared/api/editParamTypes';
import type { ProviderRole } from './providers';

/** IIR (trained): a 4-channel ControlNet. IIR (training-free): a stock 3-channel Canny ControlNet. */
export type { EngineKind };

/** The ONNX files of one edit, by the role each plays, and how the ControlNet is wired. */
export interface ModelSet {
  readonly sd: { readonly id: string; readonly dir: string };
  /** The split ControlNet's folder; undefined when the UNet is fused. */
  readonly controlnet?: { readonly id: string; readonly dir: string };
  readonly form: 'split' | 'fused';
  readonly engine: EngineKind;
  readonly controlChannels: ControlChannels;
  /** UNet role = the residual UNet (split) or the fused UNet. */
  readonly files: Readonly<Record<'text_encoder' | 'unet' | 'vae_encoder' | 'vae_decoder', string>> &
    Readonly<Partial<Record<'controlnet', string>>>;
  /** Folder holding `tokenizer.json` + `tokenizer_config.json`. */
  readonly tokenizerDir: string;
  /** The UNet takes `timestep_cond` (an LCM UNet). */
  readonly isLcm: boolean;
  /**
   * The install-time fusion of the split ControlNet and the residual UNet (`models fuse`), run as the UNet instead
   * of the two; `files` still names the graphs it was built from.
   */
  readonly fusedGraph?: string;
}

/** Where to look and what the user asked for. `sd`/`controlnet` are model ids or folder paths. */
export interface ModelSetRequest {
  readonly modelsDir: string;
  readonly sd?: string;
  readonly controlnet?: string;
}

const pullHint = (id: string): string => `get it with: npm run iir -- models pull ${id}`;

function missingFile(path: string, hint: string): IirError {
  return new IirError('model_missing', `missing model file ${path} (${hint})`);
}

/** A model given by id (installed under `modelsDir`) or by folder path (used as is). */
async function resolveOne(modelsDir: string, idOrPath: string): Promise<{ id: string; dir: string }> {
  const { dir, receipt } = await resolveModel(modelsDir, idOrPath);
  return { id: receipt?.id ?? dir, dir };
}

function inputOf(sig: { inputs: OnnxTensorInfo[] }, name: string): OnnxTensorInfo | undefined {
  return sig.inputs.find((i) => i.name === name);
}

function channelsOf(info: OnnxTensorInfo | undefined, axis: number, file: string): ControlChannels {
  const c = info?.shape?.[axis];
  if (c === 3 || c === 4) return c;
  // An export that leaves the channel dim symbolic is a stock ControlNet: no IIR-trained one is public.
  if (info && (typeof c === 'string' || c === null || c === undefined)) return 3;
  throw new IirError(
    'model_missing',
    `${file}: control input "${info?.name ?? '?'}" declares ${String(c)} channels; 3 (Canny) or 4 (IIR) expected`,
  );
}

/** Finds the CLIP tokenizer: the SD folder's `tokenizer/` when it has `tokenizer.json`, else an installed one. */
async function findTokenizer(sdDir: string, modelsDir: string): Promise<string> {
  const own = join(sdDir, 'tokenizer');
  if (existsSync(join(own, 'tokenizer.json'))) return own;
  const installed = (await listInstalled(modelsDir)).find((m) => m.receipt.role === 'tokenizer');
  if (installed && existsSync(join(installed.dir, 'tokenizer.json'))) return installed.dir;
  throw missingFile(join(own, 'tokenizer.json'), pullHint('clip-tokenizer'));
}

function requireFile(dir: string, relative: string, hint: string): string {
  const path = join(dir, relative);
  if (!existsSync(path)) throw missingFile(path, hint);
  return path;
}

/**
 * Resolves the SD1.5 folder and the ControlNet (ids or paths; defaults: the first installed SD1.5/LCM set, and an
 * IIR ControlNet if one is installed, else a Canny one), checks every file exists, and reads the UNet's and
 * ControlNet's declared inputs (headers only, no weights) to choose split or fused and the engine.
 */
export async function locateModelSet(request: ModelSetRequest): Promise<ModelSet> {
  const { modelsDir } = request;
  let sd: { id: string; dir: string };
  if (request.sd !== undefined) sd = await resolveOne(modelsDir, request.sd);
  else {
    const installed = await listInstalled(modelsDir);
    const found = installed.find((m) => m.receipt.role === 'sd15') ?? installed.find((m) => m.receipt.role === 'lcm');
    if (!found) {
      throw new IirError('model_missing', `no SD1.5 model installed in ${modelsDir} (${pullHint('starter')})`);
    }
    sd = { id: found.id, dir: found.dir };
  }
  const sdHint = /[\\/]/.test(sd.id) ? pullHint('sd15-fp16') : pullHint(sd.id);
  const textEncoder = requireFile(sd.dir, 'text_encoder/model.onnx', sdHint);
  const plainUnet = requireFile(sd.dir, 'unet/model.onnx', sdHint);
  const vaeEncoder = requireFile(sd.dir, 'vae_encoder/model.onnx', sdHint);
  const vaeDecoder = requireFile(sd.dir, 'vae_decoder/model.onnx', sdHint);
  const tokenizerDir = await findTokenizer(sd.dir, modelsDir);
  const unetSignature = await readOnnxSignature(plainUnet);
  const fusedConds = inputOf(unetSignature, 'controlnet_conds');
  const files = { text_encoder: textEncoder, vae_encoder: vaeEncoder, vae_decoder: vaeDecoder };

  if (fusedConds) {
    const controlChannels = channelsOf(fusedConds, 2, plainUnet);
    return {
      sd,
      form: 'fused',
      engine: controlChannels === 4 ? 'iir-trained' : 'iir-training-free',
      controlChannels,
      files: { ...files, unet: plainUnet },
      tokenizerDir,
      isLcm: inputOf(unetSignature, 'timestep_cond') !== undefined,
    };
  }

  let controlnet: { id: string; dir: string };
  if (request.controlnet !== undefined) controlnet = await resolveOne(modelsDir, request.controlnet);
  else {
    const installed = await listInstalled(modelsDir);
    const found =
      installed.find((m) => m.receipt.role === 'controlnet-iir') ??
      installed.find((m) => m.receipt.role === 'controlnet-canny');
    if (!found) {
      throw new IirError('model_missing', `no ControlNet installed in ${modelsDir} (${pullHint('controlnet-canny')})`);
    }
    controlnet = { id: found.id, dir: found.dir };
  }
  const controlnetFile = requireFile(
    controlnet.dir,
    'model.onnx',
    /[\\/]/.test(controlnet.id) ? pullHint('controlnet-canny') : pullHint(controlnet.id),
  );
  const residualUnet = requireFile(
    sd.dir,
    'controlnet/model.onnx',
    `this SD1.5 set has no residual UNet for a split ControlNet; ${pullHint('sd15-fp16')}`,
  );
  const controlSignature = await readOnnxSignature(controlnetFile);
  const cond = inputOf(controlSignature, 'controlnet_cond');
  if (!cond) throw invalidArgument(`${controlnetFile} has no "controlnet_cond" input; is it a ControlNet?`);
  const controlChannels = channelsOf(cond, 1, controlnetFile);
  const residualSignature = await readOnnxSignature(residualUnet);
  const fusedGraph = await currentFusedGraph(sd.dir, controlnet.dir);
  return {
    sd,
    controlnet,
    form: fusedGraph ? 'fused' : 'split',
    ...(fusedGraph ? { fusedGraph } : {}),
    engine: controlChannels === 4 ? 'iir-trained' : 'iir-training-free',
    controlChannels,
    files: { ...files, unet: residualUnet, controlnet: controlnetFile },
    tokenizerDir,
    isLcm: inputOf(residualSignature, 'timestep_cond') !== undefined,
  };
}

/** The session roles a model set uses. */
export function rolesOf(set: ModelSet): ProviderRole[] {
  return set.form === 'split'
    ? ['text_encoder', 'controlnet', 'unet', 'vae_encoder', 'vae_decoder']
    : ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'];
}
