import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { unionRect } from '../canvas/brush';
import type { PreviewChannel } from '../iir/previewChannel';
import { cropLayer } from '../iir/previewEngine';
import type { useMaskLayer } from './useMaskLayer';

/** True when every byte of the layer is 0 (read four at a time). */
function isEmpty(layer: Mask): boolean {
  const data = layer.data;
  const words = Math.floor(data.byteLength / 4);
  const view = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, words) : null;
  if (view) {
    for (let i = 0; i < words; i++) if (view[i] !== 0) return false;
  }
  for (let i = view ? words * 4 : 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/**
 * What the preview worker holds, kept up to date from the page: the photo once per base (a bitmap is cloned and handed
 * over, so the page keeps drawing its own), and of the layers only the rows a change touched (all of them for new
 * layers).
 */
export function createPreviewFeed(
  channel: PreviewChannel,
  layer: ReturnType<typeof useMaskLayer>,
  image: () => RgbImage | ImageBitmap | null,
  key: () => string,
) {
  let sentKey: string | null = null;
  let sentLayers: Record<'roi' | 'protect', Mask> | null = null;
  let dirtyImagePx: Rect | null = null;
  const stopListening = layer.onChange((_, rect) => (dirtyImagePx = unionRect(dirtyImagePx, rect)));

  return {
    /** Sends the photo when it changed; false when there is none (yet). */
    async sendPhoto(): Promise<boolean> {
      const photoKey = key();
      if (photoKey === sentKey) return true;
      const photo = image();
      if (!photo) return false;
      const isBitmap = !('data' in photo);
      const copy = isBitmap ? await createImageBitmap(photo) : photo;
      if (key() !== photoKey) return false;
      channel.post({ type: 'photo', key: photoKey, image: copy }, isBitmap ? [copy as ImageBitmap] : []);
      sentKey = photoKey;
      return true;
    },
    /** Sends the rows of the layers that changed; false when there are no layers. */
    sendMasks(): boolean {
      const masks = layer.masks.value;
      if (!masks) return false;
      const { width, height } = masks.roi;
      const isNew = masks !== sentLayers;
      sentLayers = masks;
      let rect = isNew ? { x0: 0, y0: 0, x1: width, y1: height } : dirtyImagePx;
      dirtyImagePx = null;
      // New empty layers (a new photo) need no bytes: the worker starts from empty ones.
      if (isNew && isEmpty(masks.roi) && isEmpty(masks.protect)) rect = { x0: 0, y0: 0, x1: 0, y1: 0 };
      if (!rect || (!isNew && (rect.x1 <= rect.x0 || rect.y1 <= rect.y0))) return true;
      const roi = cropLayer(masks.roi, rect);
      const protect = cropLayer(masks.protect, rect);
      const patch = { width, height, rect, roi, protect, isNew };
      channel.post({ type: 'masks', patch }, [roi.buffer, protect.buffer]);
      return true;
    },
    /** The worker lost what it held: send everything again. */
    forget(): void {
      sentKey = null;
      sentLayers = null;
    },
    stop: stopListening,
  };
}
