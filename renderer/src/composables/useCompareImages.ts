import { type ShallowRef, shallowRef, watch } from 'vue';
import type { ImageId } from '../../../shared/api';
import { api } from '../api/client';
import type { DifferenceStats } from '../compare/compareMath';
import { describeError } from '../editing/errorMessages';
import { useEditStore } from '../stores/editStore';
import { type ComparePair, useComparePair } from './useComparePair';
import { useDocumentPixels } from './useDocumentPixels';

/**
 * The bitmaps of the compared pair and, in difference mode, main's heat map and counts of the changes in the file's
 * own stored values (`images:difference`: B against A, not the sRGB renderings); `onLoaded` runs when they change
 * (the canvas then redraws).
 */
export function useCompareImages(onLoaded: (stats: DifferenceStats | null) => void) {
  const editStore = useEditStore();
  const pixels = useDocumentPixels();
  const pair = useComparePair();
  const images: ShallowRef<{ a: ImageBitmap; b: ImageBitmap } | null> = shallowRef(null);
  const difference = shallowRef<ImageBitmap | null>(null);
  /** The heat map shown now (main releases it when it makes the next one). */
  let mapId: ImageId | null = null;
  let version = 0;

  async function storedDifference(current: ComparePair, mine: number): Promise<DifferenceStats | null> {
    try {
      const found = await api().images.difference({ id: current.b, against: current.a });
      const map = await pixels.bitmap(found.mapId);
      if (mine !== version) return null;
      if (mapId) pixels.forget(mapId);
      [mapId, difference.value] = [found.mapId, map];
      const { changedPixels, changedOutsideRegion: changedOutsideMask, maxDifference, depth } = found;
      return { changedPixels, changedOutsideMask, maxDifference, depth };
    } catch (caught) {
      return { error: describeError(caught).text };
    }
  }

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
    const stats = await storedDifference(current, mine);
    if (mine === version) onLoaded(stats);
  }

  watch(
    () => [pair.value?.a, pair.value?.b, editStore.compareMode],
    () => void load().catch(() => onLoaded(null)),
  );
  return { pair, images, difference };
}
