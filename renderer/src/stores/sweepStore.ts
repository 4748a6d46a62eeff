import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type ImageId, type SweepStartRequest, editParamsSchema } from '../../../shared/api';
import { api } from '../api/client';
import { isJobActive } from '../jobs/jobReducer';
import {
  type AxisDraft,
  type SweepAsked,
  type SweepResult,
  cellRecipe,
  moveFocus,
  parseDrafts,
  unheldImages,
} from '../editing/sweepGrid';
import type { RoiPixels } from './editStore';
import { useDocumentStore } from './documentStore';
import { useEditStore } from './editStore';
import { useHistoryStore } from './historyStore';
import { releaseImages } from './imageRelease';
import { useJobsStore } from './jobsStore';
import { useModelsStore } from './modelsStore';

/** The Sweep sheet (issue 15): its axes, the grid job, the focused cell and the cells picked into the results. */
export const useSweepStore = defineStore('sweep', () => {
  const jobs = useJobsStore();
  const editStore = useEditStore();
  const isOpen = ref(false);
  const rows = ref<AxisDraft>({ key: 'noise', text: '0.1, 0.3, 0.5, 0.8' });
  const columns = ref<AxisDraft>({ key: 'seed', text: '1..4' });
  const error = ref<string | null>(null);
  const focused = ref(0);
  const picked = ref<ImageId[]>([]);
  let asked: SweepAsked | null = null;
  let generation = 0;

  const flow = computed(() => jobs.flows.sweep);
  const parsed = computed(() => parseDrafts([rows.value, columns.value]));
  const result = computed<SweepResult | null>(() =>
    flow.value.status === 'completed' && flow.value.result.kind === 'sweep' ? flow.value.result : null,
  );

  /** Opens the sheet; the columns start at the current seed. */
  function show(): void {
    if (!result.value) columns.value = { key: 'seed', text: `${editStore.seed}..${editStore.seed + 3}` };
    isOpen.value = true;
  }

  /** Runs the grid on `imageId` within `roi` with the panels' parameters; `models` go into the recipes. */
  async function run(imageId: ImageId, roi: RoiPixels, models: readonly string[]): Promise<void> {
    const asking = sweepRequest(parsed.value, imageId, roi);
    error.value = asking.ok ? null : asking.error;
    if (!asking.ok) return;
    const { request } = asking;
    releaseUnpicked();
    asked = { params: request.params, models, startedAt: Date.now() };
    focused.value = 0;
    generation = 0;
    await jobs.run('sweep', () => api().sweep.start(request));
  }

  /** Puts cell `index` into the results strip (once) and selects it there. */
  function pick(index: number): void {
    const grid = result.value;
    if (!grid || !asked || !grid.cells[index]) return;
    focused.value = index;
    const added = addToStrip(grid, index, asked, generation);
    generation = added.generation;
    if (added.isNew) picked.value = [...picked.value, grid.cells[index].resultId];
  }

  /** Moves the focus across the grid by an arrow key (Home/End along the row). */
  function move(key: string): void {
    const cells = result.value?.cells.length ?? 0;
    if (cells > 0) focused.value = moveFocus(focused.value, key, cells, result.value?.axes[1]?.values.length ?? 1);
  }

  /** Lets main forget the tiles and the cells nobody picked. */
  function releaseUnpicked(): void {
    if (result.value) releaseGrid(result.value, picked.value);
    picked.value = [];
    if (!isJobActive(flow.value)) jobs.reset('sweep');
  }

  /** Closes the sheet: a running grid is cancelled, the cells not picked are let go. */
  async function close(): Promise<void> {
    if (isJobActive(flow.value)) await jobs.cancel('sweep');
    releaseUnpicked();
    isOpen.value = false;
  }

  return { isOpen, rows, columns, error, focused, picked, flow, parsed, result, show, run, pick, move, close };
});

/**
 * Adds cell `index` of `grid` to the results strip and the history (or finds it there) and selects it; one generation
 * per sweep.
 */
function addToStrip(
  grid: SweepResult,
  index: number,
  asked: SweepAsked,
  generation: number,
): { generation: number; isNew: boolean } {
  const editStore = useEditStore();
  const cell = grid.cells[index]!;
  const at = editStore.results.findIndex((r) => r.id === cell.resultId);
  if (at >= 0) {
    editStore.selected = at;
    return { generation, isNew: false };
  }
  const current = generation === 0 ? ++editStore.generations : generation;
  const recipe = cellRecipe(grid, index, asked, Date.now() - asked.startedAt);
  const added = { id: cell.resultId, seed: cell.seed, prompt: recipe.prompt, generation: current, recipe };
  editStore.results = [...editStore.results, added];
  editStore.selected = editStore.results.length - 1;
  // As an edit's results do, the picked cell joins the history (Restore, Regenerate).
  const base = useDocumentStore().base;
  if (base) useHistoryStore().push({ kind: 'generate', resultIds: [cell.resultId], recipe }, base.id);
  return { generation: current, isNew: true };
}

/** Lets main forget the tiles of `grid` and its cells nobody picked. */
function releaseGrid(grid: SweepResult, picked: readonly ImageId[]): void {
  const held = new Set([...useDocumentStore().heldIds(), ...useHistoryStore().baseIds()]);
  releaseImages(unheldImages(grid, new Set(picked)), held);
}

/** The `sweep:start` request for the panels' parameters and `axes`, or the one-line reason there is none. */
function sweepRequest(
  axes: ReturnType<typeof parseDrafts>,
  imageId: ImageId,
  roi: RoiPixels,
): { ok: true; request: SweepStartRequest } | { ok: false; error: string } {
  const editStore = useEditStore();
  const text = editStore.prompt.trim();
  if (!text) return { ok: false, error: 'Say what the region should become: type a prompt first.' };
  if ('error' in axes) return { ok: false, error: axes.error };
  const params = editParamsSchema.safeParse({
    ...editStore.currentParams(text, useModelsStore().editModels()),
    variations: 1,
  });
  if (!params.success)
    return { ok: false, error: params.error.issues[0]?.message ?? 'the parameters are not accepted' };
  const grid = axes.axes.map((axis) => ({ key: axis.key, values: [...axis.values] }));
  return { ok: true, request: { imageId, roi: { mask: roi }, params: params.data, axes: grid } };
}
