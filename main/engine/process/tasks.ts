import type { PreflightReport } from '../providers';
import { preflight } from '../providers';
import type { EngineProgress } from './protocol';

/** Work the engine process does for main. */
export type EngineTask = { readonly kind: 'preflight'; readonly refresh: boolean };

/** What each task answers. */
export type TaskValue = { readonly kind: 'preflight'; readonly report: PreflightReport };

/** Context of one task inside the engine process. */
export interface TaskContext {
  readonly signal: AbortSignal;
  readonly progress: (progress: EngineProgress) => void;
}

/** Runs one task in the engine process. */
export async function runTask(task: EngineTask, _context: TaskContext): Promise<TaskValue> {
  switch (task.kind) {
    case 'preflight':
      return { kind: 'preflight', report: await preflight({ refresh: task.refresh }) };
  }
}
