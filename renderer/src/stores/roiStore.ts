import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageId, JobResult } from '../../../shared/api';
import type { Rect } from '../../../shared/image/types';
import { api } from '../api/client';
import {
  boxSearch,
  clickSearch,
  instancesAfter,
  instanceSearch,
  textSearch,
  type RoiClick,
  type RoiInstance,
  type RoiMerge,
  type RoiSearch,
} from '../editing/roiSearch';
import { releaseImages } from './imageRelease';
import { useJobsStore } from './jobsStore';
import { useModelsStore } from './modelsStore';

export type { RoiClick, RoiInstance, RoiMerge } from '../editing/roiSearch';

/**
 * Finding the RoI by text, clicks or a box: the request, what was found and how it merges. What each gesture asks
 * is decided in ../editing/roiSearch.ts; this store holds the state and runs the search as the `segment` job.
 */
export const useRoiStore = defineStore('roi', () => {
  const jobs = useJobsStore();
  const text = ref('');
  const boxThreshold = ref(0.35);
  const textThreshold = ref(0.25);
  const instances = ref<RoiInstance[]>([]);
  const clicks = ref<RoiClick[]>([]);
  const message = ref<string | null>(null);
  /** How the next segmentation result joins the mask. */
  const pendingMerge = ref<RoiMerge>('replace');
  /** Which instance a box-segmentation was for (pick / exclude), or null. */
  const pendingInstance = ref<number | null>(null);
  const flow = computed(() => jobs.flows.segment);

  async function search(imageId: ImageId, next: RoiSearch | null): Promise<void> {
    if (!next) return;
    clicks.value = next.clicks;
    pendingInstance.value = next.instance;
    pendingMerge.value = next.merge;
    message.value = null;
    await jobs.run('segment', () =>
      api().segment.start({
        imageId,
        ...next.request,
        boxThreshold: boxThreshold.value,
        textThreshold: textThreshold.value,
        ...useModelsStore().segmentModels(),
      }),
    );
  }

  /** Takes in a finished segmentation (its mask already read into the page): the instances and the message. */
  function absorb(result: Extract<JobResult, { kind: 'segment' }>): void {
    releaseImages([result.maskId], new Set());
    message.value = result.message;
    instances.value = instancesAfter(instances.value, pendingInstance.value, result);
    pendingInstance.value = null;
  }

  function reset(): void {
    instances.value = [];
    clicks.value = [];
    message.value = null;
    pendingInstance.value = null;
  }

  return {
    text,
    boxThreshold,
    textThreshold,
    instances,
    clicks,
    message,
    pendingMerge,
    flow,
    find: (imageId: ImageId) => search(imageId, textSearch(text.value)),
    click: (imageId: ImageId, point: RoiClick) => search(imageId, clickSearch(clicks.value, point)),
    box: (imageId: ImageId, boxImagePx: Rect) => search(imageId, boxSearch(boxImagePx)),
    /** Picks or excludes one detected instance by segmenting its box. */
    toggleInstance: (imageId: ImageId, index: number) =>
      search(imageId, instanceSearch(instances.value, clicks.value, index)),
    absorb,
    clearClicks: (): void => {
      clicks.value = [];
    },
    reset,
  };
});
