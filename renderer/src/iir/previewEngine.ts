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
  /** New layers (another photo): the worker drops what it held and starts from empty ones. */
  readonly isNew?: boolean;
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

/**
 * Averages `factor`×`factor` blocks (the last partial row and column of blocks are dropped, under `factor` pixels of a
 * 12 MP photo): the first, cheap step of shrinking a large photo to the preview frame, whose area averaging then runs
 * on a photo `factor`² times smaller (12 MP: ~100 ms → ~35 ms). Area averaging twice is area averaging once, up to
 * the rounding of the first step and the dropped edge.
 */
function boxShrink(image: RgbImage, factor: number): RgbImage {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const sums = new Uint32Array(width * 3);
  const data = new Uint8Array(width * height * 3);
  const area = factor * factor;
  const source = image.data;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      let p = (y * factor + dy) * image.width * 3;
      for (let x = 0, s = 0; x < width; x++, s += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dx = 0; dx < factor; dx++, p += 3) {
          r += source[p]!;
          g += source[p + 1]!;
          b += source[p + 2]!;
        }
        sums[s]! += r;
        sums[s + 1]! += g;
        sums[s + 2]! += b;
      }
    }
    for (let i = 0, q = y * width * 3; i < sums.length; i++, q++) data[q] = Math.round(sums[i]! / area);
  }
  return { width, height, data };
}

/** Reads a bitmap's RGB bytes (the worker has OffscreenCanvas; alpha is dropped). */
function bitmapRgb(bitmap: ImageBitmap): RgbImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot read image pixels in a worker');
  const { width, height } = bitmap;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, width, height).data;
  bitmap.close();
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
    data[p] = rgba[q]!;
    data[p + 1] = rgba[q + 1]!;
    data[p + 2] = rgba[q + 2]!;
  }
  return { width, height, data };
}

/**
 * The preview's heavy work, run in a worker: it keeps the photo at preview size (downscaled once per photo), full-size
 * copies of the layers (patched where they changed) and the downscaled effective RoI ({@link PreviewMask}, updated
 * only where a patch touched), and computes what the model sees with the engine's own functions.
 */
export class PreviewEngine {
  private key = '';
  private small: RgbImage | null = null;
  private failure: string | null = null;
  private layers: { roi: Mask; protect: Mask; mask: PreviewMask } | null = null;

  handle(request: PreviewRequest): PreviewReply | null {
    if (request.type !== 'compute') {
      try {
        if (request.type === 'photo') {
          this.setPhoto(request.key, 'data' in request.image ? request.image : bitmapRgb(request.image));
        } else this.patch(request.patch);
        this.failure = null;
      } catch (caught) {
        // Said with the next preview asked for: what the worker holds is not what the page shows.
        this.failure = caught instanceof Error ? caught.message : String(caught);
        this.small = null;
      }
      return null;
    }
    if (this.failure !== null) return { type: 'error', seq: request.seq, message: this.failure };
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
    // Pre-shrink by whole blocks while the photo stays at least twice the preview frame on each side.
    const factor = Math.floor(Math.min(image.width / size.width, image.height / size.height) / 2);
    const source = factor >= 2 ? boxShrink(image, factor) : image;
    this.small =
      size.width === source.width && size.height === source.height
        ? source
        : resizeRgb(source, size.width, size.height);
    this.key = key;
    if (this.layers && !this.layers.mask.fits(image.width, image.height)) this.layers = null;
  }

  private patch({ width, height, rect, roi, protect, isNew }: MaskPatch): void {
    if (isNew === true || !this.layers || !this.layers.mask.fits(width, height)) {
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
