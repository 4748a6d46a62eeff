import { extname, join, resolve } from 'node:path';
import { type EditParamKey, editParamKeys } from '../../../shared/api/editParams';
import { type SweepAxis, parseSweepAxis, sweepAxesError, sweepCells } from '../../../shared/api/sweep';
import { IirError, throwIfCancelled } from '../../../shared/errors';
import { unionMasks } from '../../../shared/image/mask';
import type { Mask, RgbImage } from '../../../shared/image/types';
import { EditEngine } from '../../engine/editEngine';
import type { EditOptions } from '../../engine/pipeline';
import { runSweep } from '../../engine/sweep';
import { openImage, type ImageSource } from '../../image/decode';
import { defaultExportFormat, exportEdit } from '../../image/exportEdit';
import { readMask } from '../../image/readMask';
import { writeFileAtomic } from '../../image/writeFile';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { userDataDir } from '../../paths';
import { contactSheet, cropTile, sweepCrop } from '../../sweep/contactSheet';
import { type SweepIndexCell, cellPath, indexPath, sheetLabels } from '../../sweep/cells';
import { type CommandContext, defineCommand } from '../command';
import { modelsOption } from '../modelsOption';
import { UsageError } from '../options';
import { forceOption, refuseExisting } from '../outputs';
import { formatEta } from './batch';
import { findRegion } from './edit';
import { checkParamRules, negativeOption, paramOptions, paramsFromOptions } from './paramOptions';
import { defaultGroundingModel, defaultSamModel } from './segment';

/** Every declared edit parameter but `variations` (each cell is one image; vary the seed with an axis). */
const sweepParamKeys = editParamKeys.filter((key): key is Exclude<EditParamKey, 'variations'> => key !== 'variations');

function parseAxes(specs: readonly string[]): SweepAxis[] {
  if (specs.length === 0) throw new UsageError('give one or two axes: --axis noise=0.1,0.3,0.5 --axis seed=1..4');
  const axes = specs.map((spec) => {
    try {
      return parseSweepAxis(spec);
    } catch (error) {
      throw new UsageError(`--axis ${spec}: ${(error as Error).message}`);
    }
  });
  const error = sweepAxesError(axes);
  if (error) throw new UsageError(error);
  return axes;
}

interface RegionOptions {
  readonly mask?: string | undefined;
  readonly region?: string | undefined;
  readonly grounding: string;
  readonly sam: string;
  readonly provider: EditOptions['provider'];
}

/** `--mask`, `--region` or both (united), as in `iir edit`. */
async function regionMask(
  source: ImageSource,
  o: RegionOptions,
  modelsDir: string,
  context: CommandContext,
): Promise<Mask> {
  const imagePx = { width: source.info.width, height: source.info.height };
  const painted = o.mask === undefined ? undefined : await readMask(o.mask, imagePx);
  if (o.region === undefined) {
    if (!painted) throw new UsageError('give the region to vary: --mask <png>, --region <text>, or both');
    return painted;
  }
  const bar = context.progress('find region');
  const found = await findRegion(source, o.region, {
    modelsDir,
    grounding: o.grounding,
    sam: o.sam,
    provider: o.provider ?? 'auto',
    signal: context.signal,
  });
  bar.finish();
  if (found.instances.length === 0 && !painted) {
    throw new IirError('invalid_argument', `${found.message ?? `no region found for "${o.region}"`}: nothing to edit`);
  }
  if (found.message !== null) context.log(found.message);
  return painted ? unionMasks(painted, found.mask) : found.mask;
}

/** `iir sweep`: a grid of edits over one or two parameters, as a labelled contact sheet and every cell. */
export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'edit a region over a grid of σ, seeds or any parameter; write a labelled contact sheet and every cell',
  description:
    'Runs one edit per cell of a grid: the first --axis gives the rows, the second (optional) the columns, e.g.\n' +
    '--axis noise=0.1,0.3,0.5,0.8 --axis seed=1..4. Any edit parameter that changes the picture can be an axis\n' +
    '(its flag or name; values as a list, an integer range a..b, or on/off). Work that does not depend on a cell\n' +
    '(decoding, the mask, the working frame, Canny, the original\u2019s VAE latents, the text, the models) is done\n' +
    'once for the grid. --out names the contact sheet (PNG) of the region\u2019s crops with the values as labels;\n' +
    'each cell is written beside it (grid-noise0.3-seed2.png, the source\u2019s format, the recipe inside) with an\n' +
    'index grid.json. Ctrl-C leaves the cells finished so far, each complete; no file is half-written.',
  positionals: [{ name: 'image', description: 'the photo (JPEG, PNG, WebP, TIFF, AVIF or GIF)' }],
  options: {
    prompt: { type: 'string', valueName: 'text', required: true, description: 'what the region should become' },
    axis: {
      type: 'string',
      valueName: 'param=values',
      multiple: true,
      description: 'one axis of the grid (once for rows, again for columns): noise=0.1,0.3 · seed=1..4 · gray=on,off',
    },
    mask: { type: 'string', valueName: 'png', description: 'region to edit, same size as the image' },
    region: { type: 'string', valueName: 'text', description: 'find the region from text (with --mask: united)' },
    grounding: {
      type: 'string',
      valueName: 'id|dir',
      default: defaultGroundingModel,
      description: 'GroundingDINO model for --region',
    },
    sam: { type: 'string', valueName: 'id|dir', default: defaultSamModel, description: 'SAM model for --region' },
    ...negativeOption,
    ...paramOptions(sweepParamKeys),
    sd: { type: 'string', valueName: 'id|dir', description: 'SD1.5 model: installed id or folder' },
    controlnet: { type: 'string', valueName: 'id|dir', description: 'ControlNet: installed id or folder' },
    ...modelsOption,
    out: {
      type: 'string',
      valueName: 'file.png',
      required: true,
      description: 'the contact sheet; cells and index beside it',
    },
    ...forceOption,
    json: { type: 'boolean', description: 'print the cells, their recipes, timings and what was shared as JSON' },
  },
  examples: [
    'sweep car.jpg --region "the car" --prompt "a red car" --axis noise=0.1,0.3,0.5,0.8 --axis seed=1..4 --out grid.png',
    'sweep cup.png --mask cup-mask.png --prompt "a green cup" --axis guidance=5,7.5,10 --axis keep-lightness=off,on --out cup.png',
  ],
  async run({ options, positionals }, context) {
    const axes = parseAxes(options.axis);
    const params = paramsFromOptions(options, sweepParamKeys);
    checkParamRules(params);
    const out = resolve(options.out);
    if (extname(out).toLowerCase() !== '.png')
      throw new UsageError(`--out ${options.out}: the contact sheet is a .png`);
    const source = await openImage(positionals.image);
    const format = defaultExportFormat(source.info.format);
    const cells = sweepCells(axes);
    const paths = cells.map((cell) => cellPath(out, axes, cell, format));
    await refuseExisting([out, indexPath(out), ...paths], options.force);
    const modelsDir = resolveModelsDir(options.models, await readModelSettings(context.env), context.env);
    const mask = await regionMask(source, options, modelsDir, context);
    const editOptions: EditOptions = {
      prompt: options.prompt,
      negativePrompt: options.negative ?? '',
      ...params,
      ...(options.sd !== undefined ? { sd: options.sd } : {}),
      ...(options.controlnet !== undefined ? { controlnet: options.controlnet } : {}),
    };
    const crop = sweepCrop(mask, (params.dilatePx ?? 0) + (params.featherPx ?? 0));
    const run = { source, mask, modelsDir, editOptions, axes, paths, crop, overwrite: options.force };
    const result = await sweepToFiles(run, context);
    const sheet = await contactSheet(result.tiles, sheetLabels(axes, options.prompt));
    await writeFileAtomic(out, sheet, { signal: context.signal, overwrite: options.force });
    const index = { sheet: out, axes, cells: result.cells, timingsMs: result.timingsMs, shared: result.shared };
    await writeFileAtomic(indexPath(out), `${JSON.stringify(index, null, 2)}\n`, { overwrite: options.force });
    if (options.json) context.printJson({ ...index, index: indexPath(out), warnings: result.warnings });
    else context.log(`wrote ${out}, ${paths.length} cells and ${indexPath(out)} in ${formatEta(result.wallMs)}`);
  },
});

interface SweepFiles {
  readonly source: ImageSource;
  readonly mask: Mask;
  readonly modelsDir: string;
  readonly editOptions: EditOptions;
  readonly axes: readonly SweepAxis[];
  readonly paths: readonly string[];
  readonly crop: ReturnType<typeof sweepCrop>;
  readonly overwrite: boolean;
}

/** Runs the grid, writing each cell as it finishes; keeps only the cells' crops. */
async function sweepToFiles(run: SweepFiles, context: CommandContext) {
  const cells = sweepCells(run.axes);
  const columns = run.axes[1]?.values.length ?? 1;
  const tiles: RgbImage[] = [];
  const written: SweepIndexCell[] = [];
  const bar = context.progress('sweep');
  const started = performance.now();
  const engine = new EditEngine();
  try {
    const summary = await runSweep(engine, {
      image: run.source,
      mask: run.mask,
      modelsDir: run.modelsDir,
      options: run.editOptions,
      cells,
      signal: context.signal,
      hashCachePath: join(userDataDir(context.env), 'cache', 'model-hashes.json'),
      onProgress: (cell, n, p) => {
        const done = cell + (p.type === 'step' ? p.i / p.n : 0);
        const elapsed = performance.now() - started;
        const eta = done > 0.2 ? `, ${formatEta((elapsed / done) * (n - done))} left` : '';
        bar.update(done / n, `cell ${cell + 1}/${n}${p.type === 'step' ? `, step ${p.i}/${p.n}` : ''}${eta}`);
      },
      onCell: async (i, variation) => {
        const path = run.paths[i]!;
        const { bytes, recipe } = await exportEdit(
          run.source,
          { ...variation.stored, recipe: variation.recipe },
          {
            format: defaultExportFormat(run.source.info.format),
          },
        );
        await writeFileAtomic(path, bytes, { signal: context.signal, overwrite: run.overwrite });
        tiles.push(await cropTile(variation.rgb, run.crop));
        const row = Math.floor(i / columns);
        written.push({ row, column: i % columns, params: cells[i]!, seed: variation.seed, path, recipe });
      },
    });
    throwIfCancelled(context.signal);
    bar.finish();
    for (const warning of summary.warnings) context.log(`warning: ${warning}`);
    const timingsMs = Object.fromEntries(Object.entries(summary.timings).map(([k, ms]) => [k, Math.round(ms)]));
    return {
      tiles,
      cells: written,
      timingsMs,
      shared: summary.shared,
      warnings: summary.warnings,
      wallMs: performance.now() - started,
    };
  } finally {
    bar.finish();
    await engine.dispose();
  }
}
