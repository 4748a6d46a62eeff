import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type BatchEvent, type EditParams, editParams, editParamsSchema, waitingBatchItem } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';
import { BatchFiles, EarlyEvents } from './batchFiles';
import { useSettingsStore } from './settingsStore';

/** One photo of the sheet: picked, then followed through its batch. */
export type BatchItem = Omit<Extract<BatchEvent, { type: 'item' }>, 'type' | 'batchId'> & { readonly name: string };
type BatchState = Extract<BatchEvent, { type: 'batch' }>['state'];

/** Where a photo of a running batch may be (every other state is an end). */
const inProgress: readonly BatchItem['state'][] = ['waiting', 'opening', 'finding', 'editing'];

/** The photo formats the sheet takes from a folder. */
const photoPattern = /\.(jpe?g|png|webp|tiff?|avif|gif)$/i;

/** The items after one event of their batch (pure, for the store and its tests). */
export function applyBatchEvent(items: readonly BatchItem[], event: BatchEvent): BatchItem[] {
  if (event.type !== 'item') return [...items];
  return items.map((item) =>
    item.index === event.index
      ? {
          ...item,
          state: event.state,
          imageId: event.imageId,
          thumbId: event.thumbId,
          maskId: event.maskId,
          resultId: event.resultId,
          worker: event.worker,
          provider: event.provider,
          step: event.step,
          message: event.message,
        }
      : item,
  );
}

/** The items by the worker that took them ("this machine" for local ones), for the per-worker lanes. */
export function lanesOf(items: readonly BatchItem[]): { worker: string; items: BatchItem[] }[] {
  const lanes = new Map<string, BatchItem[]>();
  for (const item of items) {
    if (item.state === 'waiting') continue;
    const key = item.worker ?? 'this machine';
    lanes.set(key, [...(lanes.get(key) ?? []), item]);
  }
  return [...lanes].map(([worker, laneItems]) => ({ worker, items: laneItems }));
}

/**
 * The Batch sheet: photos, the region text and the edit; one batch at a time, followed through `batch:event`. The
 * picked files stay files (read from disk when needed): each is read and handed to main only when main asks for it
 * (its item turns `opening`), so neither side holds every photo.
 */
export const useBatchStore = defineStore('batch', () => {
  const isOpen = ref(false);
  const items = ref<BatchItem[]>([]);
  const [region, prompt] = [ref(''), ref('')];
  const noise = ref(editParams.noise.default);
  const batchId = ref<string | null>(null);
  const state = ref<BatchState | null>(null);
  const error = ref<string | null>(null);
  /** Listening to `batch:event` once for the app's life: a batch goes on while the sheet is closed. */
  let unsubscribe: (() => void) | null = null;
  /** The picked files (each a handle, read only when main asks for its photo) and a starting batch's first events. */
  const [files, early] = [new BatchFiles(), new EarlyEvents()];

  const done = computed(() => items.value.filter((i) => !inProgress.includes(i.state)).length);
  const isRunning = computed(() => state.value === 'running' || state.value === 'paused');
  const lanes = computed(() => lanesOf(items.value));

  function listen(): void {
    unsubscribe ??= api().on('batch:event', (event) => {
      if (!early.keep(event, batchId.value !== null) && event.batchId === batchId.value) follow(event);
    });
  }

  function follow(event: BatchEvent): void {
    if (event.type === 'batch') state.value = event.state;
    else items.value = applyBatchEvent(items.value, event);
    if (event.type === 'item' && event.state === 'opening') void files.supply(event.batchId, event.index);
  }

  /** Takes the picked files (photos only; a folder's other files are left out) as the sheet's photos. */
  function addFiles(picked: readonly File[]): void {
    error.value = null;
    if (isRunning.value) return;
    for (const file of picked.filter((f) => photoPattern.test(f.name))) {
      items.value = [...items.value, blank(items.value.length, file.name)];
      files.add(file);
    }
  }

  async function start(): Promise<void> {
    const params = batchParams(prompt.value, noise.value, region.value);
    error.value = typeof params === 'string' ? params : null;
    if (typeof params === 'string') return;
    listen();
    items.value = items.value.map((item, index) => blank(index, item.name));
    files.restart();
    batchId.value = null;
    early.hold();
    try {
      const answer = await api().batch.start({ count: items.value.length, region: region.value.trim(), params });
      batchId.value = answer.batchId;
      state.value = 'running';
    } catch (caught) {
      error.value = describeError(caught).text;
    }
    for (const event of early.release(batchId.value)) follow(event);
  }

  async function control(verb: 'pause' | 'resume' | 'cancel'): Promise<void> {
    if (!batchId.value) return;
    try {
      state.value = (await api().batch[verb]({ batchId: batchId.value })).state;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  function clear(): void {
    if (isRunning.value) return;
    items.value = [];
    files.clear();
    batchId.value = null;
    state.value = null;
  }

  return {
    ...{ isOpen, items, region, prompt, noise, batchId, state, error, done, isRunning, lanes },
    ...{ addFiles, start, control, clear, listen },
  };
});

/** The edit the sheet asks for (the settings' device), or why it cannot be asked yet. */
function batchParams(prompt: string, noise: number, region: string): EditParams | string {
  const params = editParamsSchema.safeParse({ prompt, noise, provider: useSettingsStore().settings.provider });
  if (!params.success) return params.error.issues[0]?.message ?? 'check the edit';
  return region.trim() ? params.data : 'Say what to find in every photo.';
}

function blank(index: number, name: string): BatchItem {
  return { index, name, ...waitingBatchItem };
}
