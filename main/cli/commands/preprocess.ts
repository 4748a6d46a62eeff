import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { throwIfCancelled } from '../../../shared/errors';
import { openImage } from '../../image/decode';
import { encodeGrayPng, encodeImage } from '../../image/encode';
import { describeWriteError } from '../../image/fileErrors';
import { preprocess, previewControl, type PreprocessResult } from '../../image/preprocess';
import { readMask } from '../../image/readMask';
import { writeFilesAtomic } from '../../image/writeFile';
import { defineCommand } from '../command';
import { editParams } from '../../../shared/api/editParams';
import { iirOptions } from './iirOptions';
import { paramOptions } from './paramOptions';
import { UsageError } from '../options';
import { forceOption, refuseExisting } from '../outputs';

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** `iir preprocess`: writes what the model will see, for checking masks, noise and edges before an edit. */
export const preprocessCommand = defineCommand({
  name: 'preprocess',
  summary: 'write the working frame, mask, information-removed image, Canny edges and control image',
  description:
    'Prepares a photo as the diffusion model will see it and writes five PNGs to the output folder:\n' +
    'working.png (the working frame), mask.png (the RoI at working size; the whole image without --mask),\n' +
    'iir.png (colour and texture removed inside the RoI), canny.png (edges, 0/255) and control.png\n' +
    '(what the ControlNet sees: the IIR image and the edges side by side).',
  positionals: [{ name: 'image', description: 'the photo (JPEG, PNG, WebP, TIFF, AVIF or GIF)' }],
  options: {
    mask: { type: 'string', valueName: 'png', description: 'region to edit, same size as the image (white = edit)' },
    noise: {
      ...paramOptions(['noise']).noise,
      default: 0,
      description: 'texture removal: standard deviation of the added Gaussian noise, in [0,1] units',
    },
    ...iirOptions,
    seed: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: editParams.seed.min,
      max: editParams.seed.max,
      description: 'noise seed (random when not given; printed with --json)',
    },
    'out-dir': { type: 'string', valueName: 'dir', required: true, description: 'folder for the five PNGs' },
    ...forceOption,
    json: { type: 'boolean', description: 'print sizes, seed and timings as JSON on stdout' },
  },
  examples: [
    'preprocess photo.jpg --out-dir out/',
    'preprocess photo.jpg --mask cup.png --noise 0.5 --seed 7 --out-dir out/ --json',
  ],
  async run({ options, positionals }, context) {
    if (options.focus && options.mask === undefined) throw new UsageError('--focus needs --mask');
    const outputNames = ['working', 'mask', 'iir', 'canny', 'control'] as const;
    const outDir = resolve(options['out-dir']);
    await refuseExisting(
      outputNames.map((name) => join(outDir, `${name}.png`)),
      options.force,
    );
    const start = performance.now();
    const source = await openImage(positionals.image);
    if (source.colour.warning) context.log(`warning: ${source.colour.warning}`);
    const maskImagePx =
      options.mask === undefined
        ? undefined
        : await readMask(options.mask, { width: source.info.width, height: source.info.height });
    const afterOpen = performance.now();
    throwIfCancelled(context.signal);

    const seed = options.seed ?? randomInt(0, 2 ** 32);
    const result = await preprocess(source, {
      ...(maskImagePx ? { maskImagePx } : {}),
      noise: options.noise,
      gray: !options['no-gray'],
      noiseScope: options['noise-scope'],
      seed,
      cannyLow: options['canny-low'],
      cannyHigh: options['canny-high'],
      shortSide: options.size,
      focus: options.focus,
      signal: context.signal,
    });
    throwIfCancelled(context.signal);

    const encodeStart = performance.now();
    const files = await writePngs(result, outDir, { signal: context.signal, overwrite: options.force });
    const end = performance.now();

    const { frame, timings } = result;
    if (options.json) {
      context.printJson({
        image: {
          path: resolve(positionals.image),
          format: source.info.format,
          width: source.info.width,
          height: source.info.height,
        },
        working: { width: frame.width, height: frame.height, sourcePx: frame.sourcePx },
        mask: options.mask === undefined ? null : resolve(options.mask),
        seed,
        noise: options.noise,
        gray: !options['no-gray'],
        noiseScope: options['noise-scope'],
        canny: { low: options['canny-low'], high: options['canny-high'] },
        files: Object.fromEntries(files.map((f) => [f.name, f.path])),
        timingsMs: {
          open: round(afterOpen - start),
          decode: round(timings.decode),
          mask: round(timings.mask),
          iir: round(timings.iir),
          canny: round(timings.canny),
          control: round(timings.control),
          write: round(end - encodeStart),
          total: round(end - start),
        },
      });
    } else {
      context.log(
        `${frame.width}×${frame.height} working frame from ${source.info.width}×${source.info.height}; ` +
          `seed ${seed}; wrote 5 files to ${outDir} in ${Math.round(end - start)} ms`,
      );
    }
  },
});

/** The five PNGs, encoded in parallel and written together (all or none). */
async function writePngs(
  result: PreprocessResult,
  outDir: string,
  options: { readonly signal: AbortSignal; readonly overwrite: boolean },
): Promise<{ readonly name: string; readonly path: string }[]> {
  const fast = { fast: true } as const;
  const encoded: [string, Promise<Uint8Array>][] = [
    ['working', encodeImage(result.working, null, { format: 'png', ...fast })],
    ['mask', encodeGrayPng(result.workingMask, fast)],
    ['iir', encodeImage(result.iir, null, { format: 'png', ...fast })],
    ['canny', encodeGrayPng(result.edges, fast)],
    ['control', encodeImage(previewControl(result), null, { format: 'png', ...fast })],
  ];
  const files = await Promise.all(
    encoded.map(async ([name, bytes]) => ({ name, path: join(outDir, `${name}.png`), bytes: await bytes })),
  );
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw describeWriteError(outDir, error);
  }
  await writeFilesAtomic(files, options);
  return files;
}
