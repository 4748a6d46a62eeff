import { onBeforeUnmount, shallowRef, watch } from 'vue';
import type { Rect } from '../../../shared/image/types';
import { useMaskStore } from '../stores/maskStore';
import { type MaskLayer, useMaskLayer } from './useMaskLayer';

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** The protected area's tint. */
const protectRgb: [number, number, number] = [64, 160, 255];

/**
 * The mask layers as tinted image-sized canvases, repainted where a change touched them; `onPainted` runs after each
 * repaint (the canvas then redraws).
 */
export function useMaskOverlays(onPainted: () => void) {
  const maskStore = useMaskStore();
  const layer = useMaskLayer();
  const overlays = shallowRef<Record<MaskLayer, OffscreenCanvas> | null>(null);

  function paint(which: MaskLayer, rect: Rect): void {
    const target = overlays.value?.[which];
    const mask = layer.masks.value?.[which];
    const context = target?.getContext('2d');
    if (!mask || !context) return;
    const width = rect.x1 - rect.x0;
    const height = rect.y1 - rect.y0;
    if (width <= 0 || height <= 0) return;
    const image = context.createImageData(width, height);
    const [r, g, b] = which === 'roi' ? hexToRgb(maskStore.overlayColour) : protectRgb;
    for (let y = 0; y < height; y++) {
      let source = (rect.y0 + y) * mask.width + rect.x0;
      let q = y * width * 4;
      for (let x = 0; x < width; x++, source++, q += 4) {
        image.data[q] = r;
        image.data[q + 1] = g;
        image.data[q + 2] = b;
        image.data[q + 3] = mask.data[source]!;
      }
    }
    context.putImageData(image, rect.x0, rect.y0);
    onPainted();
  }

  function rebuild(): void {
    const masks = layer.masks.value;
    if (!masks) {
      overlays.value = null;
      return;
    }
    const { width, height } = masks.roi;
    overlays.value = { roi: new OffscreenCanvas(width, height), protect: new OffscreenCanvas(width, height) };
    paint('roi', { x0: 0, y0: 0, x1: width, y1: height });
    paint('protect', { x0: 0, y0: 0, x1: width, y1: height });
  }

  const stopListening = layer.onChange((which, rect) => paint(which, rect));
  watch(() => [maskStore.overlayColour, layer.masks.value], rebuild);
  rebuild();
  onBeforeUnmount(stopListening);
  return overlays;
}
