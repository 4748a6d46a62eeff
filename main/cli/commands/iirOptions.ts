/**
 * The IIR module's and the working frame's options, declared once for the commands that use them (`preprocess`
 * shows what `edit` feeds the model, so both must take the same options with the same ranges).
 */
export const iirOptions = {
  'no-gray': { type: 'boolean', description: 'keep the colour inside the region (no colour removal)' },
  'noise-scope': {
    type: 'string',
    valueName: 'scope',
    choices: ['roi', 'image'],
    default: 'roi',
    description: 'where the noise goes: inside the region only, or over the whole image',
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
    description: 'working-frame short side in pixels, a multiple of 64 (512–768 suit SD1.5)',
  },
  focus: { type: 'boolean', description: 'work on a crop around the mask instead of the whole image' },
} as const;
