/**
 * "Keep original lightness" (issue 15): inside the region the output's CIELAB L* is the input's (within 0.5) and its
 * hue follows the model's output; outside the blend region every stored value is the input's. The oracle reads the
 * files with sharp and computes L*, a*, b* with its own formula from each profile's colorants (D50 PCS).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { compositeMask } from '../../../main/engine/composite';
import { runEdit } from '../../../main/engine/pipeline';
import { openImage } from '../../../main/image/decode';
import { encodeStored } from '../../../main/image/exportStored';
import { exportEdit } from '../../../main/image/exportEdit';
import { computeWorkingFrame } from '../../../shared/image/geometry';
import { createMask, type Mask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { adobeRgb } from '../../unit/image/profiles';

type Xyz = readonly [number, number, number];
interface Space {
  readonly colorants: readonly [Xyz, Xyz, Xyz];
  readonly toLinear: (v: number) => number;
}

const srgb: Space = {
  colorants: [
    [0.4360747, 0.2225045, 0.0139322],
    [0.3850649, 0.7168786, 0.0971045],
    [0.1430804, 0.0606169, 0.7141733],
  ],
  toLinear: (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4),
};
const adobe: Space = {
  colorants: [
    [0.60974, 0.31111, 0.01947],
    [0.20528, 0.62567, 0.06087],
    [0.14919, 0.06322, 0.74457],
  ],
  toLinear: (v) => v ** (563 / 256),
};

/** L*, a*, b* of one pixel's values in [0, 1] (white: the colorants' sum). */
function lab(space: Space, rgb: readonly number[]): [number, number, number] {
  const lin = rgb.map(space.toLinear);
  const xyz = [0, 1, 2].map((k) => space.colorants.reduce((s, c, i) => s + c[k]! * lin[i]!, 0));
  const white = [0, 1, 2].map((k) => space.colorants.reduce((s, c) => s + c[k]!, 0));
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const [fx, fy, fz] = xyz.map((v, k) => f(v / white[k]!)) as [number, number, number];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const width = 240;
const height = 160;
let models: string;
let photo: Uint8Array;

function roi(): Mask {
  const mask = createMask(width, height);
  for (let y = 48; y < 112; y++) mask.data.fill(255, y * width + 72, y * width + 156);
  return mask;
}

async function storedValues(bytes: Uint8Array): Promise<{ data: Uint8Array | Uint16Array; max: number }> {
  const meta = await sharp(bytes).metadata();
  const wide = meta.depth === 'ushort';
  const { data } = await sharp(bytes, { ignoreIcc: true })
    .toColourspace(wide ? 'rgb16' : 'srgb')
    .raw({ depth: wide ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return wide
    ? { data: new Uint16Array(data.buffer, data.byteOffset, data.length / 2), max: 65535 }
    : { data: new Uint8Array(data), max: 255 };
}

async function edit(bytes: Uint8Array, keepLightness: boolean): Promise<Uint8Array> {
  const source = await openImage(bytes);
  const result = await runEdit({
    image: source,
    mask: roi(),
    modelsDir: models,
    options: { prompt: 'a red cat', steps: 2, size: 256, seed: 7, provider: 'cpu', keepLightness },
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
  const v = result.variations[0]!;
  expect(v.recipe.params.keepLightness).toBe(keepLightness);
  return (await exportEdit(source, { ...v.stored, recipe: v.recipe }, { format: 'png', removeLocation: false })).bytes;
}

const hueGap = (a: number, b: number): number => {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
};
const hue = (l: readonly number[]): number => (Math.atan2(l[2]!, l[1]!) * 180) / Math.PI;
const chroma = (l: readonly number[]): number => Math.hypot(l[1]!, l[2]!);

beforeAll(async () => {
  models = ensureFixtures();
  const { data } = await sharp(join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png'))
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  photo = new Uint8Array(data);
});

describe('keep original lightness', () => {
  it.each([
    ['sRGB, 8-bit', srgb, null, 8],
    ['Adobe RGB, 16-bit', adobe, adobeRgb, 16],
  ] as const)('%s: L* kept inside, hue from the model, identical outside', async (_, space, icc, depth) => {
    const data = depth === 16 ? Uint16Array.from(photo, (v) => v * 257) : photo.slice();
    const stored = { width, height, channels: 3, colourChannels: 3, hasAlpha: false, depth, space: 'rgb' } as const;
    const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc, orientation: 1 };
    const options = { format: 'png', text: {}, removeLocation: false, quality: 95, lossless: true } as const;
    const input = (await encodeStored({ ...stored, data }, meta, icc, options)).bytes;
    const [a, plain, kept] = await Promise.all([storedValues(input), edit(input, false), edit(input, true)]);
    const [p, k] = await Promise.all([storedValues(plain), storedValues(kept)]);
    const blend = compositeMask(roi(), computeWorkingFrame({ width, height }, { shortSide: 256 }), 8, 8);
    const at = (values: Uint8Array | Uint16Array, i: number): number[] =>
      [0, 1, 2].map((c) => values[i * 3 + c]! / a.max);
    let inside = 0;
    let worstL = 0;
    let plainWorstL = 0;
    const hueGaps: number[] = [];
    let hueFromOriginal = 0;
    for (let i = 0; i < width * height; i++) {
      if (blend.data[i] === 0) {
        for (let c = 0; c < 3; c++) expect(k.data[i * 3 + c]).toBe(a.data[i * 3 + c]);
        continue;
      }
      if (blend.data[i] !== 255) continue;
      inside++;
      const [original, model, result] = [
        lab(space, at(a.data, i)),
        lab(space, at(p.data, i)),
        lab(space, at(k.data, i)),
      ];
      worstL = Math.max(worstL, Math.abs(result[0] - original[0]));
      plainWorstL = Math.max(plainWorstL, Math.abs(model[0] - original[0]));
      if (chroma(model) > 10 && chroma(result) > 5) {
        hueGaps.push(hueGap(hue(result), hue(model)));
        if (chroma(original) > 5 && hueGap(hue(result), hue(original)) > 20) hueFromOriginal++;
      }
    }
    expect(inside).toBeGreaterThan(4000);
    expect(worstL).toBeLessThanOrEqual(0.5);
    expect(plainWorstL, 'the model alone changes lightness').toBeGreaterThan(5);
    hueGaps.sort((x, y) => x - y);
    expect(hueGaps.length).toBeGreaterThan(inside / 4);
    expect(hueGaps[Math.floor(hueGaps.length / 2)]).toBeLessThan(1);
    expect(hueGaps[Math.floor(hueGaps.length * 0.95)]).toBeLessThan(5);
    expect(hueFromOriginal, 'the hue is the model’s, not the photo’s').toBeGreaterThan(hueGaps.length / 10);
  });
});
