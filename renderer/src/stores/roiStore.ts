import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageId, JobResult } from '../../../shared/api';
import type { Rect } from '../../../shared/image/types';
import { api } from '../api/client';
import { releaseImages } from './imageRelease';
import { useJobsStore } from './jobsStore';
import { useModelsStore } from './modelsStore';

/** A detected object and whether it is part of the RoI. */
export interface RoiInstance {
  readonly boxImagePx: Rect;
  readonly phrase: string | null;
  readonly score: number | null;
  readonly isPicked: boolean;
}

/** A click for SAM, in imagePx. */
export interface RoiClick {
  readonly xImagePx: number;
  readonly yImagePx: number;
  readonly isPositive: boolean;
}

/** How a segmentation's mask joins the painted RoI. */
export type RoiMerge = 'replace' | 'add' | 'subtract';

/** Finding the RoI by text, clicks or a box: the request, what was found and how it merges. */
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

  async function segment(
    imageId: ImageId,
    request: { text?: string; boxImagePx?: Rect; points?: RoiClick[] },
    merge: RoiMerge,
  ): Promise<void> {
    pendingMerge.value = merge;
    message.value = null;
    await jobs.run('segment', () =>
      api().segment.start({
        imageId,
        ...request,
        boxThreshold: boxThreshold.value,
        textThreshold: textThreshold.value,
        ...useModelsStore().segmentModels(),
      }),
    );
  }

  async function find(imageId: ImageId): Promise<void> {
    const phrase = text.value.trim();
    if (!phrase) return;
    clicks.value = [];
    pendingInstance.value = null;
    await segment(imageId, { text: phrase }, 'replace');
  }

  /**
   * Adds a click and re-segments with every click so far (SAM refines with the cached embedding). Negative clicks
   * alone mean "not this": the object under the latest one is found and taken out of the region.
   */
  async function click(imageId: ImageId, point: RoiClick): Promise<void> {
    clicks.value = [...clicks.value, point];
    pendingInstance.value = null;
    if (clicks.value.some((c) => c.isPositive)) {
      await segment(imageId, { points: clicks.value }, 'add');
    } else {
      await segment(imageId, { points: [{ ...point, isPositive: true }] }, 'subtract');
    }
  }

  async function box(imageId: ImageId, boxImagePx: Rect): Promise<void> {
    clicks.value = [];
    pendingInstance.value = null;
    await segment(imageId, { boxImagePx }, 'add');
  }

  /** Picks or excludes one detected instance by segmenting its box. */
  async function toggleInstance(imageId: ImageId, index: number): Promise<void> {
    const instance = instances.value[index];
    if (!instance) return;
    pendingInstance.value = index;
    await segment(imageId, { boxImagePx: instance.boxImagePx }, instance.isPicked ? 'subtract' : 'add');
  }

  /** Takes in a finished segmentation (its mask already read into the page): the instances and the message. */
  function absorb(result: Extract<JobResult, { kind: 'segment' }>): void {
    releaseImages([result.maskId], new Set());
    message.value = result.message;
    const index = pendingInstance.value;
    if (index !== null) {
      instances.value = instances.value.map((item, i) => (i === index ? { ...item, isPicked: !item.isPicked } : item));
      pendingInstance.value = null;
    } else if (result.instances.some((item) => item.phrase !== null)) {
      instances.value = result.instances.map((item) => ({
        boxImagePx: { x0: item.x0, y0: item.y0, x1: item.x1, y1: item.y1 },
        phrase: item.phrase,
        score: item.score,
        isPicked: true,
      }));
    }
  }

  function clearClicks(): void {
    clicks.value = [];
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
    find,
    click,
    box,
    toggleInstance,
    absorb,
    clearClicks,
    reset,
  };
});
