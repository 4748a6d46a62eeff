import { basename, dirname, extname, join, resolve } from 'node:path';
import { IirError, throwIfCancelled } from '../../../shared/errors';
import { unionMasks } from '../../../shared/image/mask';
import { type ProviderChoice } from '../../engine/providers';
import { disposeSegmentation, segmentRegion, type SegmentResult } from '../../engine/segmentation';
import { resolveModel } from '../../models/receipt';
import { defaultGroundingModel, defaultSamModel } from './segment';
import { runEdit, type EditProgress, type EditResult } from '../../engine/pipeline';
import { openImage, type ImageSource } from '../../image/decode';
import { editExportNotes, exportEdit } from '../../image/exportEdit';
import { readMask } from '../../image/readMask';
import { exportFormatForPath, writeFilesAtomic } from '../../image/writeFile';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { userDataDir } from '../../paths';
import { defineCommand, type CommandContext } from '../command';
import type { ProgressBar } from '../progress';
import type { Mask } from '../../../shared/image/types';
import { editParamKeys } from '../../../shared/api/editParams';
import { checkParamRules, negativeOption, paramOptions, paramsFromOptions } from './paramOptions';
import { UsageError } from '../options';
import { forceOption, refuseExisting } from '../outputs';
import { modelsOption } from '../modelsOption';

/** Every declared edit parameter is an option of `iir edit`. */
const cliParamKeys = editParamKeys;

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** `<name>-<seed>.<ext>` beside `out` (for --variations > 1). */
export function variationPath(out: string, seed: number): string {
  const ext = extname(out);
  return join(dirname(out), `${basename(out, ext)}-${seed}${ext}`);
}

interface FindRegionOptions {
  readonly modelsDir: string;
  readonly grounding: string;
  readonly sam: string;
  readonly provider: ProviderChoice;
  readonly signal: AbortSignal;
}

/**
 * `--region`: GroundingDINO boxes → SAM masks at full resolution. The segmentation sessions are released before the
 * diffusion models load, so both never sit in memory together.
 */
export async function findRegion(
  source: ImageSource,
  text: string,
  options: FindRegionOptions,
): Promise<SegmentResult> {
  const grounding = await resolveModel(options.modelsDir, options.grounding, 'grounding');
  const sam = await resolveModel(options.modelsDir, options.sam, 'sam');
  const decoded = await source.decode();
  try {
    return await segmentRegion(
      decoded.rgb,
      { samDir: sam.dir, groundingDir: grounding.dir, providers: { default: options.provider } },
      { regionText: text, signal: options.signal },
    );
  } finally {
    await disposeSegmentation();
  }
}

/** `iir edit`: the IIR edit of one photo region, end to end. */
export const editCommand = defineCommand({
  name: 'edit',
  summary: 'edit the masked region of a photo as the prompt says (IIR: SD1.5 + ControlNet)',
  description:
    'Removes information (colour, texture) inside the mask, lets Stable Diffusion 1.5 + a ControlNet re-create it\n' +
    'as the prompt asks, and composites the result into the original: pixels outside the (dilated, feathered)\n' +
    'mask are unchanged. A 4-channel (IIR-trained) ControlNet runs the paper\u2019s engine; a 3-channel Canny one\n' +
    'runs the training-free engine (latents from the information-removed image at --strength).\n' +
    'The recipe (prompt, seed, parameters, models and their SHA-256, providers) is stored in the output file.',
  positionals: [{ name: 'image', description: 'the photo (JPEG, PNG, WebP, TIFF, AVIF or GIF)' }],
  options: {
    prompt: { type: 'string', valueName: 'text', required: true, description: 'what the region should become' },
    mask: { type: 'string', valueName: 'png', description: 'region to edit, same size as the image' },
    region: {
      type: 'string',
      valueName: 'text',
      description: 'find the region from text first (GroundingDINO + SAM); with --mask the two are united',
    },
    grounding: {
      type: 'string',
      valueName: 'id|dir',
      default: defaultGroundingModel,
      description: 'GroundingDINO model for --region: an installed id or a folder',
    },
    sam: {
      type: 'string',
      valueName: 'id|dir',
      default: defaultSamModel,
      description: 'SAM model for --region: an installed id or a folder',
    },
    ...negativeOption,
    ...paramOptions(cliParamKeys),
    sd: { type: 'string', valueName: 'id|dir', description: 'SD1.5 model: installed id or folder' },
    controlnet: { type: 'string', valueName: 'id|dir', description: 'ControlNet: installed id or folder' },
    ...modelsOption,
    out: {
      type: 'string',
      valueName: 'file',
      required: true,
      description:
        'output image (.png, .jpg, .webp or .tif); the source\u2019s profile, bit depth and metadata are kept',
    },
    'remove-location': {
      type: 'boolean',
      description: 'leave GPS location tags out of the output (noted in the recipe)',
    },
    ...forceOption,
    json: { type: 'boolean', description: 'print the recipe, per-stage timings and providers as JSON' },
  },
  examples: [
    'edit cat.jpg --mask cat-mask.png --prompt "a tiger" --out tiger.png',
    'edit coffee.jpg --region "cup" --prompt "a green cup" --noise 0.2 --out green.png',
    'edit field.jpg --mask grass.png --prompt "sand" --noise 0.9 --variations 4 --seed 10 --out sand.png --json',
  ],
  async run({ options, positionals }, context) {
    const params = paramsFromOptions(options, cliParamKeys);
    checkParamRules(params);
    const out = resolve(options.out);
    const format = exportFormatForPath(out);
    const variations = params.variations ?? 1;
    const seed = params.seed ?? 0;
    const outputs = Array.from({ length: variations }, (_, v) => (variations > 1 ? variationPath(out, seed + v) : out));
    await refuseExisting(outputs, options.force);
    const started = performance.now();
    if (options.mask === undefined && options.region === undefined) {
      throw new UsageError('give the region to edit: --mask <png>, --region <text>, or both');
    }
    const source = await openImage(positionals.image);
    for (const note of editExportNotes(source, format)) context.log(`note: ${note}`);
    const modelsDir = resolveModelsDir(options.models, await readModelSettings(context.env), context.env);
    const mask = await regionMask(source, options, modelsDir, context);
    const bar = context.progress('edit');
    const result = await runEdit({
      image: source,
      mask,
      modelsDir,
      options: {
        prompt: options.prompt,
        negativePrompt: options.negative ?? '',
        ...params,
        ...(options.sd !== undefined ? { sd: options.sd } : {}),
        ...(options.controlnet !== undefined ? { controlnet: options.controlnet } : {}),
      },
      signal: context.signal,
      hashCachePath: join(userDataDir(context.env), 'cache', 'model-hashes.json'),
      onProgress: showProgress(bar, variations),
    });
    throwIfCancelled(context.signal);
    const writeStart = performance.now();
    const files = [];
    for (const v of result.variations) {
      const written = await exportEdit(
        source,
        { ...v.stored, recipe: v.recipe },
        { format, removeLocation: options['remove-location'] },
      );
      files.push({ path: result.variations.length > 1 ? variationPath(out, v.seed) : out, ...written });
    }
    await writeFilesAtomic(files, { signal: context.signal, overwrite: options.force });
    const end = performance.now();
    bar.finish();
    for (const warning of result.warnings) context.log(`warning: ${warning}`);
    const timings = { writeMs: end - writeStart, totalMs: end - started };
    if (options.json) context.printJson(jsonReport(result, files, timings));
    else {
      const names = files.map((f) => f.path).join(', ');
      context.log(
        `${result.modelSet.engine} on ${Object.values(result.providers)[0] ?? '?'}: wrote ${names} in ` +
          `${(Math.round(timings.totalMs) / 1000).toFixed(1)} s`,
      );
    }
  },
});

/** The options that say where the region is. */
interface RegionOptions {
  readonly mask: string | undefined;
  readonly region: string | undefined;
  readonly grounding: string;
  readonly sam: string;
  readonly provider: ProviderChoice;
}

/** The mask to edit: the painted one (`--mask`), the one found from text (`--region`), or both united. */
async function regionMask(
  source: ImageSource,
  options: RegionOptions,
  modelsDir: string,
  context: CommandContext,
): Promise<Mask> {
  const imagePx = { width: source.info.width, height: source.info.height };
  const painted = options.mask === undefined ? undefined : await readMask(options.mask, imagePx);
  if (options.region === undefined) {
    if (painted === undefined) throw new UsageError('give --mask <png> or --region <text>');
    return painted;
  }
  const bar = context.progress('find region');
  const { grounding, sam, provider } = options;
  const found = await findRegion(source, options.region, {
    modelsDir,
    grounding,
    sam,
    provider,
    signal: context.signal,
  });
  bar.finish();
  if (found.instances.length === 0 && painted === undefined) {
    throw new IirError(
      'invalid_argument',
      `${found.message ?? `no region found for "${options.region}"`}: nothing to edit`,
    );
  }
  if (found.message !== null) context.log(found.message);
  return painted === undefined ? found.mask : unionMasks(painted, found.mask);
}

/** The edit's progress on the bar: the step within its variation, and the stage between steps. */
function showProgress(bar: ProgressBar, variations: number): (progress: EditProgress) => void {
  let done = 0;
  return (p) => {
    if (p.type === 'step') {
      done = p.i / p.n;
      const perVariation = p.n / variations;
      const variation = Math.ceil(p.i / perVariation);
      const of = variations > 1 ? ` (${variation}/${variations})` : '';
      bar.update(done, `step ${p.i - (variation - 1) * perVariation}/${perVariation}${of}`);
    } else if (p.type === 'stage' && p.stage !== 'denoise') bar.update(done * 0.999, p.stage);
  };
}

/** `--json`: the files, recipes, engine, providers, per-stage timings, warnings and export notes. */
function jsonReport(
  result: EditResult,
  files: readonly { readonly path: string; readonly recipe: unknown; readonly notes: readonly string[] }[],
  timings: { readonly writeMs: number; readonly totalMs: number },
): unknown {
  const steps = result.variations.reduce((n, v) => n + v.denoise.steps, 0);
  const runMs = result.variations.reduce((n, v) => n + v.denoise.runMs, 0);
  const overheadMs = result.variations.reduce((n, v) => n + v.denoise.overheadMs, 0);
  return {
    outputs: files.map((f, i) => ({ path: f.path, seed: result.variations[i]!.seed })),
    recipe: files[0]!.recipe,
    recipes: files.length > 1 ? files.map((f) => f.recipe) : undefined,
    engine: result.modelSet.engine,
    providers: result.providers,
    timingsMs: {
      ...Object.fromEntries(Object.entries(result.timings).map(([k, ms]) => [k, round(ms)])),
      write: round(timings.writeMs),
      total: round(timings.totalMs),
      perStepRun: round(runMs / Math.max(1, steps)),
      perStepOverhead: round(overheadMs / Math.max(1, steps)),
    },
    warnings: result.warnings,
    notes: files[0]!.notes,
  };
}
