import type { CommandEntry } from '../command';

/**
 * Every `iir` command, in the order `iir --help` lists them: one line per command. A command's module is imported
 * only when that command runs (or for `iir --help`), so `iir preprocess` does not load ONNX Runtime.
 */
// prettier-ignore
export const commands: readonly CommandEntry[] = [
  { name: 'edit', load: async () => (await import('./edit')).editCommand },
  { name: 'preprocess', load: async () => (await import('./preprocess')).preprocessCommand },
  { name: 'schedule', load: async () => (await import('./schedule')).scheduleCommand },
  { name: 'devices', load: async () => (await import('./devices')).devicesCommand },
  { name: 'sweep', load: async () => (await import('./sweep')).sweepCommand },
  { name: 'batch', load: async () => (await import('./batch')).batchCommand },
  { name: 'worker', load: async () => (await import('./worker')).workerCommand },
  { name: 'workers', load: async () => (await import('./workers')).workersCommand },
  { name: 'eval', load: async () => (await import('./eval')).evalCommand },
  { name: 'segment', load: async () => (await import('./segment')).segmentCommand },
  { name: 'models', load: async () => (await import('./models')).modelsCommand },
  { name: 'serve', load: async () => (await import('./serve')).serveCommand },
];
