/**
 * The IIR module's options, declared once for the commands that run it (`preprocess` shows what `edit` feeds the
 * model, so both must take the same options with the same ranges).
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
} as const;
