import { type ShallowRef, shallowRef, watch } from 'vue';
import { dilateMask, featherMask } from '../../../shared/image/mask';
import { type DifferenceStats, differenceMap } from '../compare/compareMath';
import { useEditStore } from '../stores/editStore';
import { useComparePair } from './useComparePair';
import { useDocumentPixels } from './useDocumentPixels';
import { useMaskLayer } from './useMaskLayer';

/**
 * The bitmaps of the compared pair and, in difference mode, the heat map and its counts; `onLoaded` runs when they
 * change (the canvas then redraws).
 */
export function useCompareImages(onLoaded: (stats: DifferenceStats | null) => void) {
  const editStore = useEditStore();
  const pixels = useDocumentPixels();
  const layer = useMaskLayer();
  const pair = useComparePair();
  const images: ShallowRef<{ a: ImageBitmap; b: ImageBitmap } | null> = shallowRef(null);
  const difference = shallowRef<OffscreenCanvas | null>(null);
  let version = 0;

  async function load(): Promise<void> {
    const mine = ++version;
    const current = pair.value;
    difference.value = null;
    if (!current) {
      images.value = null;
      onLoaded(null);
      return;
    }
    const [a, b] = await Promise.all([pixels.bitmap(current.a), pixels.bitmap(current.b)]);
    if (mine !== version) return;
    images.value = { a, b };
    if (editStore.compareMode !== 'difference') return onLoaded(null);
    const [rgbA, rgbB] = await Promise.all([pixels.rgb(current.a), pixels.rgb(current.b)]);
    const roi = layer.effectiveRoi();
    // The engine blends the result through the RoI grown and feathered; outside that nothing may change.
    const blend = roi && featherMask(dilateMask(roi, editStore.blendGrowPx), editStore.blendFeatherPx);
    const { rgba, stats } = differenceMap(rgbA, rgbB, blend);
    if (mine !== version) return;
    const target = new OffscreenCanvas(rgbA.width, rgbA.height);
    target.getContext('2d')?.putImageData(new ImageData(rgba, rgbA.width, rgbA.height), 0, 0);
    difference.value = target;
    onLoaded(stats);
  }

  watch(
    () => [pair.value?.a, pair.value?.b, editStore.compareMode],
    () => void load().catch(() => onLoaded(null)),
  );
  return { pair, images, difference };
}
