import { PreviewEngine, cropLayer } from '../../../renderer/src/iir/previewEngine';
import { defaultIirSettings } from '../../../renderer/src/iir/livePreview';
import type { Mask, Rect, RgbImage } from '../../../shared/image/types';
import { type BenchSuite, measure } from '../suite';

// 4240×2832 = 12.0 MP, as the jpeg and preprocess suites' 12 MP input.
const width = 4240;
const height = 2832;
const runs = 7;

function photo(): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return { width, height, data };
}

function layer(fill: (x: number, y: number) => boolean): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y) ? 255 : 0;
  return { width, height, data };
}

/**
 * "What the model sees" on a 12 MP photo: the work the preview worker does for each kind of change (a new photo, new
 * layers, a brush stroke, a setting), and the page's share (copying the changed rows out before posting them).
 */
export const previewSuite: BenchSuite = {
  name: 'preview',
  summary: 'the IIR preview worker on a 12 MP photo: photo, layers, stroke and setting changes',
  async run(context) {
    const image = photo();
    const roi = layer((x, y) => (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 3) ** 2);
    const protect = layer(() => false);
    const whole: Rect = { x0: 0, y0: 0, x1: width, y1: height };
    const stroke: Rect = { x0: 1800, y0: 1200, x1: 2200, y1: 1280 };
    const engine = new PreviewEngine();
    const patch = (rect: Rect) => ({
      type: 'masks' as const,
      patch: { width, height, rect, roi: cropLayer(roi, rect), protect: cropLayer(protect, rect) },
    });
    context.log('preview: photo');
    const photoMs = await measure(() => Promise.resolve(engine.handle({ type: 'photo', key: 'p', image })), runs, 1);
    context.log('preview: layers');
    const layersMs = await measure(() => Promise.resolve(engine.handle(patch(whole))), runs, 1);
    const strokeMs = await measure(() => Promise.resolve(engine.handle(patch(stroke))), runs, 2);
    let seq = 0;
    let noise = 0.1;
    const computeMs = await measure(() => {
      noise = noise > 0.9 ? 0.1 : noise + 0.1;
      const settings = { ...defaultIirSettings, noise };
      return Promise.resolve(engine.handle({ type: 'compute', seq: ++seq, settings, channels: 4, seed: 1 }));
    }, runs * 3);
    const pageWholeMs = await measure(
      () => Promise.resolve([cropLayer(roi, whole), cropLayer(protect, whole)]),
      runs,
      2,
    );
    const pageStrokeMs = await measure(
      () => Promise.resolve([cropLayer(roi, stroke), cropLayer(protect, stroke)]),
      runs,
      2,
    );
    return {
      megapixels: Math.round((width * height) / 1e5) / 10,
      worker: { photo: photoMs, layers: layersMs, stroke: strokeMs, setting: computeMs },
      page: { layersCopy: pageWholeMs, strokeCopy: pageStrokeMs },
      targetMs: 100,
    };
  },
};
