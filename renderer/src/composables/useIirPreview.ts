import { getCurrentInstance, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { RgbImage } from '../../../shared/image/types';
import type { IirPreview } from '../iir/livePreview';
import { type PreviewChannel, defaultPreviewChannel } from '../iir/previewChannel';
import type { PreviewReply } from '../iir/previewEngine';
import { useEditStore } from '../stores/editStore';
import { useMaskStore } from '../stores/maskStore';
import { useModelsStore } from '../stores/modelsStore';
import { useDocumentPixels } from './useDocumentPixels';
import { useMaskLayer } from './useMaskLayer';
import { createPreviewFeed } from './previewFeed';

/** Where the preview's photo comes from (the base's bitmap by default; tests give RGB bytes). */
export interface PreviewSource {
  readonly image: () => RgbImage | ImageBitmap | null;
  /** Changes when the photo does. */
  readonly key: () => string;
}

/**
 * Everything the preview depends on, each setting by value: the sliders change `iir`'s fields in place, which a watch
 * of the object alone misses.
 */
function previewInputs(
  editStore: ReturnType<typeof useEditStore>,
  maskStore: ReturnType<typeof useMaskStore>,
  modelsStore: ReturnType<typeof useModelsStore>,
  key: () => string,
): unknown[] {
  const { noise, gray, scope, cannyLow, cannyHigh } = editStore.iir;
  return [
    noise,
    gray,
    scope,
    cannyLow,
    cannyHigh,
    editStore.seed,
    maskStore.revision,
    key(),
    modelsStore.controlChannels,
  ];
}

/** A superseded reply is still shown when nothing newer has been for this long (a steady drag keeps the preview live). */
const maxStaleMs = 100;

/**
 * What the model sees, at preview size, computed in a worker: after any change of a setting the engine gets (σ, colour
 * removal, the noise's scope, the Canny thresholds, the seed, the control channels), the mask or the base, the next
 * animation frame sends the worker what changed (the photo once per base, only the changed rows of the layers) and asks
 * for a preview; one request is in flight at a time, and a reply for another photo or overtaken by newer settings is
 * dropped. Returns the preview, the worker's milliseconds for the last one, and `stop`.
 */
export function useIirPreview(source?: PreviewSource, channel: PreviewChannel = defaultPreviewChannel()) {
  const editStore = useEditStore();
  const maskStore = useMaskStore();
  const modelsStore = useModelsStore();
  const pixels = useDocumentPixels();
  const layer = useMaskLayer();
  const image = source?.image ?? (() => pixels.baseBitmap.value);
  const key = source?.key ?? (() => String(pixels.baseId.value));
  const preview = shallowRef<IirPreview | null>(null);
  const computeMs = ref(0);
  const feed = createPreviewFeed(channel, layer, image, key);
  let frame = 0;
  let seq = 0;
  let inFlight: number | null = null;
  let isWanted = false;
  let shownAt = 0;
  let queue: Promise<void> = Promise.resolve();

  function requestPreview(): void {
    if (inFlight !== null) {
      isWanted = true;
      return;
    }
    isWanted = false;
    inFlight = ++seq;
    const settings = { ...editStore.iir };
    channel.post({ type: 'compute', seq, settings, channels: modelsStore.controlChannels, seed: editStore.seed });
  }

  async function flush(): Promise<void> {
    const hasPhoto = await feed.sendPhoto();
    if (hasPhoto && feed.sendMasks()) requestPreview();
    else preview.value = null;
  }

  channel.onReply((reply: PreviewReply) => {
    if (reply.type === 'lost') {
      feed.forget();
      inFlight = null;
      schedule();
      return;
    }
    if (reply.seq !== inFlight) return;
    inFlight = null;
    const isSuperseded = isWanted && performance.now() - shownAt < maxStaleMs;
    if (isWanted) requestPreview();
    if (reply.type !== 'preview' || reply.key !== key() || isSuperseded) {
      if (reply.type === 'empty' || reply.type === 'error') preview.value = null;
      return;
    }
    preview.value = reply.preview;
    computeMs.value = Math.round(reply.ms);
    shownAt = performance.now();
  });

  function schedule(): void {
    if (frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      queue = queue.then(flush).catch(() => undefined);
    });
  }

  const stopWatch = watch(() => previewInputs(editStore, maskStore, modelsStore, key), schedule, { immediate: true });

  function stop(): void {
    stopWatch();
    feed.stop();
    if (frame !== 0) cancelAnimationFrame(frame);
    frame = 0;
    channel.close();
  }
  if (getCurrentInstance()) onBeforeUnmount(stop);
  return { preview, computeMs, stop };
}
