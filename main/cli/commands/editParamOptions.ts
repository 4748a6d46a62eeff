import type { EditOptions } from '../../engine/pipeline';
import { providerChoices } from '../../engine/providers';
import { schedulerNames } from '../../../shared/engine/schedulers';
import type { ParsedOptions } from '../options';
import { iirOptions } from './iirOptions';

/** The options of one edit's parameters, declared once for the commands that edit (`edit`, `batch`). */
export const editParamOptions = {
  prompt: { type: 'string', valueName: 'text', required: true, description: 'what the region should become' },
  negative: { type: 'string', valueName: 'text', description: 'negative prompt (default: none)' },
  noise: {
    type: 'number',
    valueName: 'σ',
    min: 0,
    max: 1,
    default: 0.5,
    description: 'texture removal: σ of the Gaussian noise added inside the region, in [0,1] units',
  },
  ...iirOptions,
  strength: {
    type: 'number',
    valueName: '0..1',
    min: 0.01,
    max: 1,
    description: 'img2img strength (default 1 with an IIR ControlNet, 0.75 with a Canny one)',
  },
  steps: { type: 'number', valueName: 'n', integer: true, min: 1, max: 150, default: 20, description: 'steps' },
  guidance: {
    type: 'number',
    valueName: 'g',
    min: 1,
    max: 30,
    default: 7.5,
    description: 'classifier-free guidance scale (1 = no unconditional pass)',
  },
  'control-scale': {
    type: 'number',
    valueName: 'c',
    min: 0,
    max: 2,
    default: 1,
    description: 'ControlNet conditioning scale',
  },
  'control-start': {
    type: 'number',
    valueName: '0..1',
    min: 0,
    max: 1,
    default: 0,
    description: 'fraction of the steps before the ControlNet starts',
  },
  'control-end': {
    type: 'number',
    valueName: '0..1',
    min: 0,
    max: 1,
    default: 1,
    description: 'fraction of the steps after which the ControlNet stops',
  },
  scheduler: {
    type: 'string',
    valueName: 'name',
    choices: schedulerNames,
    default: 'ddim',
    description: 'sampler',
  },
  seed: {
    type: 'number',
    valueName: 'n',
    integer: true,
    min: 0,
    max: 4294967295,
    default: 0,
    description: 'seed of the latent and IIR noise',
  },
  feather: {
    type: 'number',
    valueName: 'px',
    integer: true,
    min: 0,
    max: 256,
    default: 8,
    description: 'soft edge of the composite, image px',
  },
  dilate: {
    type: 'number',
    valueName: 'px',
    integer: true,
    min: 0,
    max: 256,
    default: 8,
    description: 'grow the mask before compositing, image px',
  },
  sd: { type: 'string', valueName: 'id|dir', description: 'SD1.5 model: installed id or folder' },
  controlnet: { type: 'string', valueName: 'id|dir', description: 'ControlNet: installed id or folder' },
  models: {
    type: 'string',
    valueName: 'dir',
    description: 'models folder (default: IIR_MODELS_DIR, then the settings, then <userData>/models)',
  },
  provider: {
    type: 'string',
    valueName: 'name',
    choices: providerChoices,
    default: 'auto',
    description: 'execution provider (auto = the first that passes its self-test)',
  },
  'low-memory': { type: 'boolean', description: 'load one stage\u2019s models at a time and release them' },
} as const;

/** The engine options an edit's command line asks for. */
export function editOptionsFrom(options: ParsedOptions<typeof editParamOptions>, variations = 1): EditOptions {
  return {
    prompt: options.prompt,
    negativePrompt: options.negative ?? '',
    noise: options.noise,
    gray: !options['no-gray'],
    noiseScope: options['noise-scope'],
    cannyLow: options['canny-low'],
    cannyHigh: options['canny-high'],
    ...(options.strength !== undefined ? { strength: options.strength } : {}),
    steps: options.steps,
    guidance: options.guidance,
    controlScale: options['control-scale'],
    controlStart: options['control-start'],
    controlEnd: options['control-end'],
    scheduler: options.scheduler,
    seed: options.seed,
    variations,
    size: options.size,
    focus: options.focus,
    featherPx: options.feather,
    dilatePx: options.dilate,
    ...(options.sd !== undefined ? { sd: options.sd } : {}),
    ...(options.controlnet !== undefined ? { controlnet: options.controlnet } : {}),
    provider: options.provider,
    lowMemory: options['low-memory'],
  };
}
