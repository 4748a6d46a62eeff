import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { throwIfCancelled } from '../../../shared/errors';
import type { Mask, RgbImage } from '../../../shared/image/types';
import { openImage } from '../../image/decode';
import { encodeImage } from '../../image/encode';
import { describeWriteError } from '../../image/fileErrors';
import { preprocess, previewControl } from '../../image/preprocess';
import { readMask } from '../../image/readMask';
import { writeFilesAtomic } from '../../image/writeFile';
import { defineCommand } from '../command';
import { UsageError } from '../options';

function grayToRgb(mask: Mask): RgbImage {
  const data = new Uint8Array(mask.data.length * 3);
  for (let i = 0, p = 0; i < mask.data.length; i++, p += 3) data[p] = data[p + 1] = data[p + 2] = mask.data[i]!;
  return { width: mask.width, height: mask.height, data };
}

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
      type: 'number',
      valueName: 'σ',
      min: 0,
      max: 1,
      default: 0,
      description: 'texture removal: standard deviation of the added Gaussian noise, in [0,1] units',
    },
    'no-gray': { type: 'boolean', description: 'keep the colour inside the region (no colour removal)' },
    'noise-scope': {
      type: 'string',
      valueName: 'scope',
      choices: ['roi', 'image'],
      default: 'roi',
      description: 'where the noise goes: inside the region only, or over the whole image',
    },
    seed: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 0,
      max: 4294967295,
      description: 'noise seed (random when not given; printed with --json)',
    },
    'canny-low': {
      type: 'number',
      valueName: 'n',
      min: 0,
      max: 2040,
      default: 100,
      description: 'Canny low (candidate) threshold on the L1 gradient',
    },
    'canny-high': {
      type: 'number',
      valueName: 'n',
      min: 0,
      max: 2040,
      default: 200,
      description: 'Canny high (strong) threshold on the L1 gradient',
    },
    size: {
      type: 'number',
      valueName: 'short side',
      integer: true,
      min: 256,
      max: 1024,
      default: 512,
      description: 'working-frame short side in pixels, a multiple of 64',
    },
    focus: { type: 'boolean', description: 'work on a crop around the mask instead of the whole image' },
    'out-dir': { type: 'string', valueName: 'dir', required: true, description: 'folder for the five PNGs' },
    json: { type: 'boolean', description: 'print sizes, seed and timings as JSON on stdout' },
  },
  examples: [
    'preprocess photo.jpg --out-dir out/',
    'preprocess photo.jpg --mask cup.png --noise 0.5 --seed 7 --out-dir out/ --json',
  ],
  async run({ options, positionals }, context) {
    if (options.size % 64 !== 0) throw new UsageError(`--size must be a multiple of 64, not ${options.size}`);
    if (options.focus && options.mask === undefined) throw new UsageError('--focus needs --mask');
    const start = performance.now();
    const source = await openImage(positionals.image);
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

    const outDir = resolve(options['out-dir']);
    const encodeStart = performance.now();
    const images: [string, RgbImage][] = [
      ['working.png', result.working],
      ['mask.png', grayToRgb(result.workingMask)],
      ['iir.png', result.iir],
      ['canny.png', grayToRgb(result.edges)],
      ['control.png', previewControl(result)],
    ];
    const files = await Promise.all(
      images.map(async ([name, rgb]) => ({
        path: join(outDir, name),
        bytes: await encodeImage(rgb, null, { format: 'png', fast: true }),
      })),
    );
    try {
      await mkdir(outDir, { recursive: true });
    } catch (error) {
      throw describeWriteError(outDir, error);
    }
    await writeFilesAtomic(files, context.signal);
    const end = performance.now();

    const { frame, timings } = result;
    if (options.json) {
      context.printJson({
        image: { path: resolve(positionals.image), format: source.info.format, ...sizeOf(source.info) },
        working: { width: frame.width, height: frame.height, sourcePx: frame.sourcePx },
        mask: options.mask === undefined ? null : resolve(options.mask),
        seed,
        noise: options.noise,
        gray: !options['no-gray'],
        noiseScope: options['noise-scope'],
        canny: { low: options['canny-low'], high: options['canny-high'] },
        files: Object.fromEntries(files.map((f, i) => [images[i]![0].replace('.png', ''), f.path])),
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

function sizeOf(info: { width: number; height: number }): { width: number; height: number } {
  return { width: info.width, height: info.height };
}
