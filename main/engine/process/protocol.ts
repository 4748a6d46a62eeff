import type { ApiError, JobProgress } from '../../../shared/api';
import type { RgbImage } from '../../../shared/image/types';
import type { EngineTask, TaskValue } from './tasks';

/** Main → engine process. */
export type EngineRequest =
  | { readonly type: 'run'; readonly id: number; readonly task: EngineTask }
  | { readonly type: 'cancel'; readonly id: number };

/** Progress of one running task, as the engine reports it (main throttles before emitting). */
export type EngineProgress = JobProgress<RgbImage>;

/**
 * Engine process → main. Every `run` ends with exactly one `done` or `error` with its id, and the process's resident
 * memory then (`rss`, bytes: what its loaded sessions hold, for main's memory plans).
 */
export type EngineReply =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'progress'; readonly id: number; readonly progress: EngineProgress }
  | { readonly type: 'done'; readonly id: number; readonly value: TaskValue; readonly rss?: number }
  | { readonly type: 'error'; readonly id: number; readonly error: ApiError; readonly rss?: number }
  /** A bug the engine hit (with its stack), for main's log file: the engine process has no log of its own. */
  | { readonly type: 'log'; readonly message: string };

/** The two ends of the pipe, whatever carries it (Electron `utilityProcess` or `child_process.fork`). */
export interface EnginePort {
  send(message: EngineReply): void;
  onMessage(listener: (message: EngineRequest) => void): void;
}
