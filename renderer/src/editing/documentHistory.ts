import type { ImageId } from '../../../shared/api';

/** How one variation was made: the parameters sent, the models and provider, and when. */
export interface Recipe {
  readonly prompt: string;
  readonly noise: number;
  readonly gray: boolean;
  readonly seed: number;
  /** The SD and ControlNet models it ran with (ids; empty when main's defaults were used). */
  readonly models: readonly string[];
  /** The execution provider that ran it. */
  readonly provider: string;
  /** When it was asked for (ms since the epoch) and how long it took (ms). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Everything `edit:start` got as `params`, so it can be run again. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** One step of a document's history. Mask and keep steps can be undone; open and generate only mark the time line. */
export type HistoryStep =
  | { readonly kind: 'open'; readonly name: string }
  /** `fromFile`: made before the project was saved; its bytes are in the saved mask, so it cannot be undone alone. */
  | { readonly kind: 'mask'; readonly label: string; readonly fromFile?: boolean }
  | { readonly kind: 'generate'; readonly resultIds: readonly ImageId[]; readonly recipe: Recipe }
  | {
      readonly kind: 'keep';
      readonly resultId: ImageId;
      readonly previousBaseId: ImageId;
      readonly recipe: Recipe | null;
    };

/** A step with when it happened and the base image the document had after it. */
export interface HistoryEntry {
  readonly id: number;
  readonly time: number;
  readonly baseId: ImageId;
  readonly step: HistoryStep;
}

/** The steps and how far they apply: entries up to `cursor` (an index) are applied, the ones after can be redone. */
export interface DocumentHistory {
  readonly entries: readonly HistoryEntry[];
  readonly cursor: number;
}

/** A history that holds nothing (no document). */
export const emptyHistory: DocumentHistory = { entries: [], cursor: -1 };

/** True for the steps that change the document and can be undone. */
export function isUndoable(entry: HistoryEntry): boolean {
  return (entry.step.kind === 'mask' && entry.step.fromFile !== true) || entry.step.kind === 'keep';
}

/** Adds a step after the cursor; the steps that were undone are dropped (they can no longer be redone). */
export function record(history: DocumentHistory, entry: HistoryEntry): DocumentHistory {
  const entries = [...history.entries.slice(0, history.cursor + 1), entry];
  return { entries, cursor: entries.length - 1 };
}

/** The index of the step Undo reverses (the last applied undoable step), or null. */
export function undoTarget(history: DocumentHistory): number | null {
  for (let i = history.cursor; i >= 0; i--) if (isUndoable(history.entries[i]!)) return i;
  return null;
}

/** The index of the step Redo applies (the first undone undoable step), or null. */
export function redoTarget(history: DocumentHistory): number | null {
  for (let i = history.cursor + 1; i < history.entries.length; i++) if (isUndoable(history.entries[i]!)) return i;
  return null;
}

/** True when the undone steps after the cursor include one that changed the document. */
export function hasRedo(history: DocumentHistory): boolean {
  return redoTarget(history) !== null;
}

/** The undo (negative) or redo (positive) count that makes `target` the last applied step. */
export function stepsTo(history: DocumentHistory, target: number): number {
  let count = 0;
  for (let i = history.cursor; i > target; i--) if (isUndoable(history.entries[i]!)) count--;
  for (let i = history.cursor + 1; i <= target; i++) if (isUndoable(history.entries[i]!)) count++;
  return count;
}

/** One row of the History panel: a step, or a run of consecutive mask changes shown as one. */
export interface HistoryRow {
  /** Index of the row's last entry (Restore goes there). */
  readonly index: number;
  readonly first: number;
  readonly entry: HistoryEntry;
  readonly count: number;
  readonly labels: readonly string[];
}

/** The History panel's rows: consecutive mask changes grouped; `query` keeps the rows whose prompt contains it. */
export function historyRows(entries: readonly HistoryEntry[], query = ''): HistoryRow[] {
  const rows: HistoryRow[] = [];
  entries.forEach((entry, index) => {
    const last = rows.at(-1);
    if (entry.step.kind === 'mask' && last?.entry.step.kind === 'mask') {
      rows[rows.length - 1] = {
        index,
        first: last.first,
        entry,
        count: last.count + 1,
        labels: last.labels.includes(entry.step.label) ? last.labels : [...last.labels, entry.step.label],
      };
    } else {
      rows.push({ index, first: index, entry, count: 1, labels: entry.step.kind === 'mask' ? [entry.step.label] : [] });
    }
  });
  const text = query.trim().toLowerCase();
  if (!text) return rows;
  return rows.filter((row) => promptOf(row.entry)?.toLowerCase().includes(text) ?? false);
}

/** The prompt of a generate or keep step, or null. */
export function promptOf(entry: HistoryEntry): string | null {
  const step = entry.step;
  if (step.kind === 'generate') return step.recipe.prompt;
  if (step.kind === 'keep') return step.recipe?.prompt ?? null;
  return null;
}

/** The image a step shows when clicked: the base after it, or a generation's first result. */
export function imageOf(entry: HistoryEntry): ImageId {
  return entry.step.kind === 'generate' ? (entry.step.resultIds[0] ?? entry.baseId) : entry.baseId;
}

/** The recipe as one line per fact, for a tooltip. */
export function describeRecipe(recipe: Recipe): string[] {
  return [
    `“${recipe.prompt}”`,
    `σ ${recipe.noise}${recipe.gray ? ', colour removed' : ''} · seed ${recipe.seed}`,
    `models: ${recipe.models.length ? recipe.models.join(', ') : 'unknown'}`,
    `ran on ${recipe.provider} in ${(recipe.durationMs / 1000).toFixed(1)} s`,
    new Date(recipe.startedAt).toLocaleString(),
  ];
}
