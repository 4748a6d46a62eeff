import { resolve } from 'node:path';
import { editParams } from '../../../shared/api/editParams';
import { runBench } from '../../eval/bench';
import { evaluatePair } from '../../eval/evaluate';
import { defaultGrowth, type CompositeGrowth } from '../../eval/masks';
import { locateMetricModels } from '../../eval/models/locate';
import { MetricModels } from '../../eval/models/metricModels';
import { metricsJson, metricsText } from '../../eval/report';
import { openImage } from '../../image/decode';
import { readMask } from '../../image/readMask';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { defineCommand, type CommandContext } from '../command';
import { UsageError } from '../options';
import { forceOption } from '../outputs';
import { modelsOption } from '../modelsOption';

const growthOption = (key: 'dilatePx' | 'featherPx', what: string) =>
  ({
    type: 'number',
    valueName: 'px',
    integer: true,
    min: editParams[key].min,
    max: editParams[key].max,
    default: editParams[key].default,
    description: `${what} of our dilated mask, as the edit's --${editParams[key].flag}`,
  }) as const;

/** Loads the installed metric models (null when none is); the caller releases them. */
export async function metricModelsFor(
  modelsFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<MetricModels | null> {
  const modelsDir = resolveModelsDir(modelsFlag, await readModelSettings(env), env);
  const { found } = await locateMetricModels(modelsDir);
  return Object.keys(found).length === 0 ? null : new MetricModels(found);
}

async function decodeRgb(path: string) {
  return (await (await openImage(path)).decode()).rgb;
}

interface PairOptions {
  readonly original: string;
  readonly edited: string;
  readonly mask: string;
  readonly prompt: string | undefined;
  readonly json: boolean;
}

async function runPair(
  options: PairOptions,
  growth: CompositeGrowth,
  models: MetricModels | null,
  context: CommandContext,
) {
  const original = await decodeRgb(options.original);
  const edited = await decodeRgb(options.edited);
  const mask = await readMask(options.mask, original);
  const prompt = options.prompt;
  const metrics = await evaluatePair(
    { original, edited, mask, growth, ...(prompt === undefined ? {} : { prompt }) },
    models,
    context.signal,
  );
  if (options.json) {
    context.printJson({
      original: resolve(options.original),
      edited: resolve(options.edited),
      mask: resolve(options.mask),
      prompt: prompt ?? null,
      ...metricsJson(metrics),
    });
  } else {
    for (const line of metricsText(metrics, prompt)) context.stdout.write(`${line}\n`);
  }
}

/** `iir eval`: PIE-Bench's metrics for one edit, or a whole benchmark folder. */
export const evalCommand = defineCommand({
  name: 'eval',
  summary: "measure an edit with PIE-Bench's metrics (PSNR, MSE, SSIM, LPIPS, CLIP, structure distance)",
  description:
    'One edit: --original, --edited and --mask (white = the edited region). PSNR, MSE, SSIM and LPIPS are measured\n' +
    'outside the mask, as PIE-Bench does (both images black inside the mask, metrics over the frame), and outside\n' +
    'our dilated mask (the region grown by --dilate and --feather, as the composite grows it): there an exact\n' +
    'composite leaves the original bytes and PSNR is ∞ (JSON: psnr null, psnrInfinite true).\n' +
    'SSIM is Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03, per RGB channel, valid region.\n' +
    'With --prompt, CLIP scores (100·cos, ViT-L/14) of the whole edited image, its edited part and a crop of the\n' +
    'region. The structure distance compares DINO ViT-B/8 self-similarities of the two images.\n' +
    'LPIPS, CLIP and DINO are optional models (npm run iir -- models pull metrics); without them the pixel\n' +
    'metrics are reported and one line says what to install.\n' +
    '--bench <folder> evaluates a PIE-Bench folder (see the README) and writes results.csv, results.json and\n' +
    'report.html into --out.',
  positionals: [],
  options: {
    original: { type: 'string', valueName: 'image', description: 'the photo before the edit' },
    edited: {
      type: 'string',
      valueName: 'image|dir',
      description: 'the edited photo (with --bench: the folder of edited images)',
    },
    mask: { type: 'string', valueName: 'png', description: 'the edited region, white on black, the size of the photo' },
    prompt: { type: 'string', valueName: 'text', description: 'the target prompt, for the CLIP scores' },
    bench: {
      type: 'string',
      valueName: 'folder',
      description: 'a PIE-Bench folder: mapping_file.json + annotation_images/',
    },
    out: {
      type: 'string',
      valueName: 'dir',
      short: 'o',
      description: 'with --bench: where results.csv, results.json and report.html go',
    },
    dilate: growthOption('dilatePx', 'dilation'),
    feather: growthOption('featherPx', 'feather'),
    ...modelsOption,
    ...forceOption,
    json: { type: 'boolean', description: 'print the metrics as JSON on stdout' },
  },
  examples: [
    'eval --original photo.jpg --edited photo-edit.jpg --mask cup.png --prompt "a green cup"',
    'eval --original photo.jpg --edited photo-edit.jpg --mask cup.png --json',
    'eval --bench ~/PIE-Bench_v1 --edited ~/results/iir --out ~/results/iir-eval',
  ],
  async run({ options }, context) {
    const growth = {
      dilatePx: options.dilate ?? defaultGrowth.dilatePx,
      featherPx: options.feather ?? defaultGrowth.featherPx,
    };
    const pairGiven = options.original !== undefined || options.mask !== undefined || options.prompt !== undefined;
    if (options.bench !== undefined && pairGiven)
      throw new UsageError(
        "give either --bench or --original/--edited/--mask/--prompt, not both (a bench uses each entry's editing_prompt)",
      );
    if (
      options.bench === undefined &&
      (options.original === undefined || options.edited === undefined || options.mask === undefined)
    ) {
      throw new UsageError('give --original <image> --edited <image> --mask <png>, or --bench <folder>');
    }
    if (options.bench !== undefined && options.out === undefined) throw new UsageError('--bench needs --out <dir>');
    const models = await metricModelsFor(options.models, context.env);
    try {
      if (options.bench !== undefined) {
        await runBench(
          {
            folder: options.bench,
            edited: options.edited,
            out: options.out!,
            force: options.force,
            growth,
            json: options.json,
          },
          models,
          context,
        );
      } else {
        await runPair(
          {
            original: options.original!,
            edited: options.edited!,
            mask: options.mask!,
            prompt: options.prompt,
            json: options.json,
          },
          growth,
          models,
          context,
        );
      }
    } finally {
      await models?.release();
    }
  },
});
