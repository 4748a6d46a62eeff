import { shallowRef } from 'vue';
import type { ImageId } from '../../../shared/api';
import type { RgbImage } from '../../../shared/image/types';
import { api } from '../api/client';
import { bitmapToRgb, loadBitmap } from './imagePixels';

function createDocumentPixels() {
  const baseBitmap = shallowRef<ImageBitmap | null>(null);
  const baseId = shallowRef<ImageId | null>(null);
  let baseRgb: RgbImage | null = null;
  const bitmaps = new Map<string, Promise<ImageBitmap>>();
  const rgbs = new Map<string, RgbImage>();

  function bitmap(id: ImageId): Promise<ImageBitmap> {
    let pending = bitmaps.get(id);
    if (!pending) {
      pending = loadBitmap(api().imageUrl(id));
      pending.catch(() => bitmaps.delete(id));
      bitmaps.set(id, pending);
    }
    return pending;
  }

  return {
    baseBitmap,
    baseId,
    /** Loads the base image (the original or the last kept result) for drawing. */
    async setBase(id: ImageId): Promise<ImageBitmap> {
      const loaded = await bitmap(id);
      baseRgb = null;
      baseId.value = id;
      baseBitmap.value = loaded;
      return loaded;
    },
    /** The base's RGB bytes (read once from the bitmap). */
    baseRgb(): RgbImage | null {
      if (!baseRgb && baseBitmap.value) baseRgb = bitmapToRgb(baseBitmap.value);
      return baseRgb;
    },
    bitmap,
    /** Drops what this page holds of an image it no longer shows (its bitmap is closed, its bytes dropped). */
    forget(id: ImageId): void {
      const pending = bitmaps.get(id);
      bitmaps.delete(id);
      rgbs.delete(id);
      if (id === baseId.value) return;
      void pending?.then((loaded) => loaded.close()).catch(() => undefined);
    },
    /** How many images this page holds pixels of (bitmaps, RGB copies). */
    held(): { bitmaps: number; rgbs: number } {
      return { bitmaps: bitmaps.size, rgbs: rgbs.size };
    },
    async rgb(id: ImageId): Promise<RgbImage> {
      const cached = rgbs.get(id);
      if (cached) return cached;
      const image = bitmapToRgb(await bitmap(id));
      rgbs.set(id, image);
      return image;
    },
  };
}

let shared: ReturnType<typeof createDocumentPixels> | undefined;

/** The drawable bitmaps and RGB bytes of the open photo and its results (one per app). */
export function useDocumentPixels(): ReturnType<typeof createDocumentPixels> {
  shared ??= createDocumentPixels();
  return shared;
}
