/**
 * `--models <dir>`, declared once for every command that finds installed models: where they are, and what is used
 * when it is not given (see `resolveModelsDir`).
 */
export const modelsOption = {
  models: {
    type: 'string',
    valueName: 'dir',
    description: 'models folder (default: IIR_MODELS_DIR, then the settings, then <userData>/models)',
  },
} as const;
