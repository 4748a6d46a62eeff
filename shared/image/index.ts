/**
 * The pure image and mask functions: typed arrays in, typed arrays out, no I/O. They run in main, in the engine
 * process and in the renderer (live previews).
 */

export * from './canny';
export * from './control';
export * from './geometry';
export * from './iir';
export * from './mask';
export * from './random';
export * from './resize';
export * from './types';
