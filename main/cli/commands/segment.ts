import { extname, resolve } from 'node:path';
import sharp from 'sharp';

import { maskArea } from '../../../shared/image/mask';
import type { Mask } from '../../../shared/image/types';
import { parseBox, parsePoint, segmentRegion, type SegmentResult } from '../../engine/segmentation';
import { providerChoices, type ProviderDecision } from '../../engine/providers';
import { openImage } from '../../image/decode';
import { writeFileAtomic } from '../../image/writeFile';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { resolveModel } from '../../models/receipt';
import { defineCommand } from '../command';
import { UsageError } from '../options';
import { forceOption, refuseExisting } from '../outputs';
import { modelsOption } from '../modelsOption';

/** Catalog ids used when --grounding / --sam are not given. */
export const defaultGroundingModel = 'grounding-dino-tiny';
export const defaultSamModel = 'slimsam-77';

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function encodeMaskPng(mask: Mask): Promise<Uint8Array> {
  return sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** `iir segment`: a region mask from text (GroundingDINO → SAM), a box and/or clicks. */
export const segmentCommand = defineCommand({
  name: 'segment',
  summary: 'write a mask of a region found from text, a box or points (Grounded-SAM)',
  description:
    'Finds the region to edit and writes it as a full-resolution 8-bit PNG mask (white = region).\n' +
    '--region runs GroundingDINO once per phrase (split at ".", "," and "and") and SAM on every box found;\n' +
    '--box and --point prompt SAM directly (coordinates in image pixels of the displayed, EXIF-rotated photo).\n' +
    'Points refine text and box prompts: x,y,1 adds the area around a point, x,y,0 removes it.\n' +
    'When the text finds nothing the mask is empty and the reason is printed (exit code 0).',
  positionals: [{ name: 'image', description: 'the photo (JPEG, PNG, WebP, TIFF, AVIF or GIF)' }],
  options: {
    region: { type: 'string', valueName: 'text', description: 'what to select, e.g. "cat" or "cup. saucer"' },
    box: { type: 'string', valueName: 'x0,y0,x1,y1', description: 'a box around the object, in image pixels' },
    point: {
      type: 'string',
      valueName: 'x,y,1|0',
      multiple: true,
      description: 'a click: 1 includes the area around it, 0 excludes it (repeatable)',
    },
    'box-threshold': {
      type: 'number',
      valueName: 't',
      min: 0,
      max: 0.99,
      default: 0.35,
      description: 'GroundingDINO box score threshold',
    },
    'text-threshold': {
      type: 'number',
      valueName: 't',
      min: 0,
      max: 0.99,
      default: 0.25,
      description: 'GroundingDINO phrase-token threshold',
    },
    dilate: { type: 'number', valueName: 'px', integer: true, min: 0, max: 512, description: 'grow the mask by px' },
    'fill-holes': { type: 'boolean', description: 'fill holes enclosed by the mask' },
    'min-island': {
      type: 'number',
      valueName: 'px',
      integer: true,
      min: 0,
      description: 'drop separate mask regions smaller than px pixels',
    },
    ...modelsOption,
    grounding: {
      type: 'string',
      valueName: 'id|dir',
      default: defaultGroundingModel,
      description: 'GroundingDINO model: an installed id or a folder',
    },
    sam: { type: 'string', valueName: 'id|dir', default: defaultSamModel, description: 'SAM model: id or folder' },
    provider: {
      type: 'string',
      valueName: 'name',
      choices: providerChoices,
      default: 'auto',
      description: `execution provider: ${providerChoices.join(', ')}`,
    },
    out: { type: 'string', valueName: 'mask.png', short: 'o', required: true, description: 'where to write the mask' },
    ...forceOption,
    json: { type: 'boolean', description: 'print the instances, timings and providers as JSON on stdout' },
  },
  examples: [
    'segment photo.jpg --region "cat" --out cat.png',
    'segment photo.jpg --region "cup. saucer" --dilate 8 --out cup.png --json',
    'segment photo.jpg --box 120,80,380,300 --point 200,150,0 --out part.png',
  ],
  async run({ options, positionals }, context) {
    if (extname(options.out).toLowerCase() !== '.png') {
      throw new UsageError(`--out must name a .png file, not ${options.out}`);
    }
    const outPath = resolve(options.out);
    await refuseExisting([outPath], options.force);
    const boxImagePx = options.box === undefined ? undefined : parseBox(options.box);
    const points = options.point.map(parsePoint);
    if (options.region === undefined && boxImagePx === undefined && points.length === 0) {
      throw new UsageError('give --region <text>, --box x0,y0,x1,y1 or --point x,y,1');
    }
    const start = performance.now();
    const settings = await readModelSettings(context.env);
    const modelsDir = resolveModelsDir(options.models, settings, context.env);
    const sam = await resolveModel(modelsDir, options.sam, 'sam');
    const grounding =
      options.region === undefined ? undefined : await resolveModel(modelsDir, options.grounding, 'grounding');

    const source = await openImage(positionals.image);
    const decoded = await source.decode();
    const afterDecode = performance.now();
    const result = await segmentRegion(
      decoded.rgb,
      {
        samDir: sam.dir,
        ...(grounding ? { groundingDir: grounding.dir } : {}),
        providers: { default: options.provider },
      },
      {
        ...(options.region === undefined ? {} : { regionText: options.region }),
        ...(boxImagePx ? { boxImagePx } : {}),
        points,
        boxThreshold: options['box-threshold'],
        textThreshold: options['text-threshold'],
        postprocess: {
          fillHoles: options['fill-holes'],
          ...(options.dilate === undefined ? {} : { dilatePx: options.dilate }),
          ...(options['min-island'] === undefined ? {} : { minIslandPx: options['min-island'] }),
        },
        signal: context.signal,
      },
    );
    const writeStart = performance.now();
    await writeFileAtomic(outPath, await encodeMaskPng(result.mask), {
      signal: context.signal,
      overwrite: options.force,
    });
    const end = performance.now();

    const maskAreaPx = maskArea(result.mask);
    if (result.message !== null) context.log(result.message);
    if (options.json) {
      const image = { path: resolve(positionals.image), width: decoded.width, height: decoded.height };
      const models = { sam: sam.dir, grounding: grounding?.dir ?? null };
      const times = { decodeMs: afterDecode - start, writeMs: end - writeStart, totalMs: end - start };
      context.printJson(jsonReport(result, { image, mask: outPath, maskAreaPx, models }, times));
    } else if (result.instances.length > 0) {
      const what = result.instances
        .map((i) => (i.phrase === null ? `${i.areaPx} px` : `${i.phrase} ${i.score?.toFixed(2)} (${i.areaPx} px)`))
        .join(', ');
      context.log(`${result.instances.length} region(s): ${what}; mask ${maskAreaPx} px written to ${outPath}`);
    }
  },
});

/** `--json`: what was found, where the mask went, the models, providers and timings. */
function jsonReport(
  result: SegmentResult,
  written: {
    readonly image: { readonly path: string; readonly width: number; readonly height: number };
    readonly mask: string;
    readonly maskAreaPx: number;
    readonly models: { readonly sam: string; readonly grounding: string | null };
  },
  times: { readonly decodeMs: number; readonly writeMs: number; readonly totalMs: number },
): unknown {
  return {
    image: written.image,
    mask: written.mask,
    found: result.instances.length > 0,
    message: result.message,
    maskAreaPx: written.maskAreaPx,
    instances: result.instances.map((i) => ({
      box: roundBox(i.boxImagePx),
      phrase: i.phrase,
      score: i.score === null ? null : Math.round(i.score * 1e4) / 1e4,
      predictedIou: Math.round(i.predictedIou * 1e4) / 1e4,
      areaPx: i.areaPx,
    })),
    models: written.models,
    providers: describeProviders(result),
    timingsMs: {
      decode: round(times.decodeMs),
      load: result.timings.loadMs,
      grounding: result.timings.groundingMs,
      encoder: result.timings.encoderMs,
      decoder: result.timings.decoderMs,
      upsample: result.timings.upsampleMs,
      postprocess: result.timings.postprocessMs,
      write: round(times.writeMs),
      total: round(times.totalMs),
    },
  };
}

function roundBox(box: { x0: number; y0: number; x1: number; y1: number }): number[] {
  return [box.x0, box.y0, box.x1, box.y1].map((v) => Math.round(v * 10) / 10);
}

function describeProviders(result: SegmentResult): Record<string, { provider: string; fallbacks: readonly string[] }> {
  const { grounding, samEncoder, samDecoder } = result.providers;
  const entries: [string, ProviderDecision | undefined][] = [
    ['grounding', grounding],
    ['samEncoder', samEncoder],
    ['samDecoder', samDecoder],
  ];
  const out: Record<string, { provider: string; fallbacks: readonly string[] }> = {};
  for (const [role, decision] of entries) {
    if (decision) out[role] = { provider: decision.provider, fallbacks: decision.fallbacks };
  }
  return out;
}
