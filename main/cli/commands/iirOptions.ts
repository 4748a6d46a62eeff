import { paramOptions } from './paramOptions';

/**
 * The IIR module's and the working frame's options, shared by the commands that use them (`preprocess` shows what
 * `edit` feeds the model, so both take the same options with the same ranges, as shared/api/editParams.ts declares).
 */
export const iirOptionKeys = ['gray', 'noiseScope', 'cannyLow', 'cannyHigh', 'size', 'focus'] as const;

/** See {@link iirOptionKeys}. */
export const iirOptions = paramOptions(iirOptionKeys);
