import type { PreflightReport } from '../providers';
import { preflight } from '../providers';
import { applySharpThreads } from '../threads';
import {
  type EditTask,
  type EditValue,
  type WarmUpTask,
  type WarmUpValue,
  runEditTask,
  runWarmUpTask,
} from './editTask';
import { inForeground } from './foreground';
import { type MetricsTask, type MetricsValue, runMetricsTask } from './metricsTask';
import type { EngineProgress } from './protocol';
import { type SegmentTask, type SegmentValue, runSegmentTask } from './segmentTask';
import { type SweepTask, type SweepValue, runSweepTask } from './sweepTask';

/** Work the engine process does for main. */
export type EngineTask =
  | { readonly kind: 'preflight'; readonly refresh: boolean }
  | EditTask
  | WarmUpTask
  | SegmentTask
  | MetricsTask
  | SweepTask;

/** What each task answers. */
export type TaskValue =
  | { readonly kind: 'preflight'; readonly report: PreflightReport }
  | EditValue
  | WarmUpValue
  | SegmentValue
  | MetricsValue
  | SweepValue;

/** Context of one task inside the engine process. */
export interface TaskContext {
  readonly signal: AbortSignal;
  readonly progress: (progress: EngineProgress) => void;
}

/** Runs one task in the engine process. */
export async function runTask(task: EngineTask, context: TaskContext): Promise<TaskValue> {
  // A worker's budget holds libvips too (decoding and resizing here); the process is the worker's alone.
  if ('threads' in task) applySharpThreads(task.threads);
  switch (task.kind) {
    case 'preflight':
      return { kind: 'preflight', report: await preflight({ refresh: task.refresh }) };
    case 'edit':
      return runEditTask(task, context);
    case 'warmup':
      return runWarmUpTask(task, context);
    case 'segment':
      return inForeground(() => runSegmentTask(task, context));
    case 'metrics':
      return runMetricsTask(task, context);
    case 'sweep':
      return runSweepTask(task, context);
  }
}
