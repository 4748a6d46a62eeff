import type { ControlChannels } from '../../../shared/image/control';
import { resizeRgb } from '../../../shared/image/resize';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { type IirPreview, type IirSettings, computeIirPreview, previewSize } from './livePreview';
import { PreviewMask } from './previewMask';

/** The preview frame's long side (previewPx). */
export const previewMaxSidePx = 384;

/** The RoI and protected layers' bytes inside `rect` (imagePx, rows of `rect`'s width), of layers `width`×`height`. */
export interface MaskPatch {
  readonly width: number;
  readonly height: number;
  readonly rect: Rect;
  readonly roi: Uint8Array;
  readonly protect: Uint8Array;
}

/** What the page sends the preview worker, in order. */
export type PreviewRequest =
  /** A new base photo (`key` names it); RGB bytes, or a bitmap the worker reads. */
  | { readonly type: 'photo'; readonly key: string; readonly image: RgbImage | ImageBitmap }
  | { readonly type: 'masks'; readonly patch: MaskPatch }
  | {
      readonly type: 'compute';
      readonly seq: number;
      readonly settings: IirSettings;
      readonly channels: ControlChannels;
      readonly seed: number;
    };

/** The worker's answer to a `compute`: the preview of the photo `key`, or why there is none yet. */
export type PreviewReply =
  | {
      readonly type: 'preview';
      readonly seq: number;
      readonly key: string;
      readonly preview: IirPreview;
      readonly ms: number;
    }
  | { readonly type: 'empty'; readonly seq: number }
  | { readonly type: 'error'; readonly seq: number; readonly message: string }
  /** The worker stopped (a load failure, a crash); what it held is gone. */
  | { readonly type: 'lost'; readonly seq: -1 };

/** Copies the bytes of `rect` out of a full-size layer (rows of the rect's width). */
export function cropLayer(layer: Mask, rect: Rect): Uint8Array {
  const width = rect.x1 - rect.x0;
  if (rect.x0 === 0 && rect.y0 === 0 && width === layer.width && rect.y1 === layer.height) return layer.data.slice();
  const out = new Uint8Array(width * (rect.y1 - rect.y0));
  for (let y = rect.y0; y < rect.y1; y++) {
    out.set(layer.data.subarray(y * layer.width + rect.x0, y * layer.width + rect.x1), (y - rect.y0) * width);
  }
  return out;
}

function pasteLayer(layer: Mask, rect: Rect, bytes: Uint8Array): void {
  const width = rect.x1 - rect.x0;
  for (let y = rect.y0; y < rect.y1; y++) {
    layer.data.set(bytes.subarray((y - rect.y0) * width, (y - rect.y0 + 1) * width), y * layer.width + rect.x0);
  }
}

/** Reads a bitmap's RGB bytes (the worker has OffscreenCanvas; alpha is dropped). */
function bitmapRgb(bitmap: ImageBitmap): RgbImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot read image pixels in a worker');
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  bitmap.close();
  const n = bitmap.width * bitmap.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
    data[p] = rgba[q]!;
    data[p + 1] = rgba[q + 1]!;
    data[p + 2] = rgba[q + 2]!;
  }
  return { width: canvas.width, height: canvas.height, data };
}

/**
 * The preview's heavy work, run in a worker: it keeps the photo at preview size (downscaled once per photo), full-size
 * copies of the layers (patched where they changed) and the downscaled effective RoI ({@link PreviewMask}, updated
 * only where a patch touched), and computes what the model sees with the engine's own functions.
 */
export class PreviewEngine {
  private key = '';
  private small: RgbImage | null = null;
  private layers: { roi: Mask; protect: Mask; mask: PreviewMask } | null = null;

  handle(request: PreviewRequest): PreviewReply | null {
    if (request.type === 'photo') {
      this.setPhoto(request.key, 'data' in request.image ? request.image : bitmapRgb(request.image));
      return null;
    }
    if (request.type === 'masks') {
      this.patch(request.patch);
      return null;
    }
    const started = performance.now();
    if (!this.small || !this.layers) return { type: 'empty', seq: request.seq };
    try {
      const preview = computeIirPreview(
        this.small,
        this.layers.mask.mask,
        request.settings,
        request.channels,
        request.seed,
      );
      return { type: 'preview', seq: request.seq, key: this.key, preview, ms: performance.now() - started };
    } catch (caught) {
      return { type: 'error', seq: request.seq, message: caught instanceof Error ? caught.message : String(caught) };
    }
  }

  private setPhoto(key: string, image: RgbImage): void {
    const size = previewSize(image.width, image.height, previewMaxSidePx);
    this.small =
      size.width === image.width && size.height === image.height ? image : resizeRgb(image, size.width, size.height);
    this.key = key;
    if (this.layers && !this.layers.mask.fits(image.width, image.height)) this.layers = null;
  }

  private patch({ width, height, rect, roi, protect }: MaskPatch): void {
    if (!this.layers || !this.layers.mask.fits(width, height)) {
      const size = previewSize(width, height, previewMaxSidePx);
      this.layers = {
        roi: { width, height, data: new Uint8Array(width * height) },
        protect: { width, height, data: new Uint8Array(width * height) },
        mask: new PreviewMask(width, height, size.width, size.height),
      };
    }
    pasteLayer(this.layers.roi, rect, roi);
    pasteLayer(this.layers.protect, rect, protect);
    this.layers.mask.update(this.layers.roi, this.layers.protect, rect);
  }
}
