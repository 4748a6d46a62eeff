import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, openImage } from '../../../main/image/decode';
import { firstDifference, photo } from './helpers';

async function rawRgb(path: string): Promise<Uint8Array> {
  const { data } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('decodeImage', () => {
  it('decodes a PNG to 8-bit RGB with the exact pixels and no alpha', async () => {
    const decoded = await decodeImage(photo('coffee'));
    expect(decoded).toMatchObject({ format: 'png', width: 600, height: 400, alpha: null });
    expect(decoded.rgb.data.length).toBe(600 * 400 * 3);
    expect(maxDifference(decoded.rgb.data, await rawRgb(photo('coffee')))).toBe(0);
  });

  it.each([
    ['jpeg', (s: Sharp) => s.jpeg({ quality: 95 }), 12],
    ['webp', (s: Sharp) => s.webp({ lossless: true }), 0],
    ['tiff', (s: Sharp) => s.tiff({ compression: 'lzw' }), 0],
    ['avif', (s: Sharp) => s.avif({ quality: 90, effort: 0 }), 6],
    ['gif', (s: Sharp) => s.gif(), 80],
  ] as const)('decodes %s', async (format, encode, tolerance) => {
    const bytes = await encode(sharp(photo('chelsea'))).toBuffer();
    const decoded = await decodeImage(bytes);
    expect(decoded.format).toBe(format);
    expect([decoded.width, decoded.height]).toEqual([451, 300]);
    expect(decoded.alpha).toBeNull();
    const original = await rawRgb(photo('chelsea'));
    expect(maxDifference(decoded.rgb.data, original)).toBeLessThanOrEqual(tolerance === 0 ? 0 : 255);
    // A mean error bound catches a wrong channel order or colour space even for lossy formats.
    let sum = 0;
    for (let i = 0; i < original.length; i++) sum += Math.abs(decoded.rgb.data[i]! - original[i]!);
    expect(sum / original.length).toBeLessThanOrEqual(tolerance === 0 ? 0 : tolerance / 2);
  });

  it('decodes only the first frame of an animated GIF', async () => {
    const red = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
      .raw()
      .toBuffer();
    const blue = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0000ff' } })
      .raw()
      .toBuffer();
    const gif = await sharp(Buffer.concat([red, blue]), { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const decoded = await decodeImage(gif);
    expect([decoded.width, decoded.height]).toEqual([8, 8]);
    expect(Array.from(decoded.rgb.data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    const jpeg = await sharp(photo('coffee')).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const decoded = await decodeImage(jpeg);
    expect([decoded.width, decoded.height]).toEqual([400, 600]);
    const upright = await sharp(jpeg).rotate(90).raw().toBuffer({ resolveWithObject: true });
    expect([upright.info.width, upright.info.height]).toEqual([400, 600]);
    // The top-left of the rotated image is the bottom-left of the stored one.
    const stored = await sharp(jpeg, { autoOrient: false }).raw().toBuffer();
    const storedBottomLeft = stored.subarray((399 * 600 + 0) * 3, (399 * 600 + 0) * 3 + 3);
    for (let c = 0; c < 3; c++) expect(Math.abs(decoded.rgb.data[c]! - storedBottomLeft[c]!)).toBeLessThanOrEqual(2);
    expect(maxDifference(decoded.rgb.data, new Uint8Array(upright.data))).toBeLessThanOrEqual(2);
  });

  it('converts CMYK JPEG to sRGB', async () => {
    const cmyk = await sharp(photo('coffee')).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const decoded = await decodeImage(cmyk);
    expect(decoded.rgb.data.length).toBe(600 * 400 * 3);
    const original = await rawRgb(photo('coffee'));
    let sum = 0;
    for (let i = 0; i < original.length; i++) sum += Math.abs(decoded.rgb.data[i]! - original[i]!);
    expect(sum / original.length).toBeLessThan(12);
  });

  it('converts 16-bit PNG to 8 bits', async () => {
    const png16 = await sharp(photo('chelsea')).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const decoded = await decodeImage(png16);
    expect(maxDifference(decoded.rgb.data, await rawRgb(photo('chelsea')))).toBeLessThanOrEqual(1);
  });

  it('expands gray to R = G = B', async () => {
    expect((await sharp(photo('grass')).metadata()).channels).toBe(1);
    const decoded = await decodeImage(photo('grass'));
    const gray = await sharp(photo('grass')).extractChannel(0).raw().toBuffer();
    expect(gray.length).toBe(512 * 512);
    expect(decoded.rgb.data.length).toBe(512 * 512 * 3);
    for (let i = 0; i < gray.length; i += 997) {
      expect([decoded.rgb.data[i * 3], decoded.rgb.data[i * 3 + 1], decoded.rgb.data[i * 3 + 2]]).toEqual([
        gray[i],
        gray[i],
        gray[i],
      ]);
    }
  });

  it('expands a palette PNG to its colours', async () => {
    const palette = await sharp(photo('chelsea')).png({ palette: true, colours: 16 }).toBuffer();
    expect((await sharp(palette).metadata()).isPalette).toBe(true);
    const decoded = await decodeImage(palette);
    const colours = new Set<number>();
    for (let i = 0; i < decoded.rgb.data.length; i += 3) {
      colours.add((decoded.rgb.data[i]! << 16) | (decoded.rgb.data[i + 1]! << 8) | decoded.rgb.data[i + 2]!);
    }
    expect(colours.size).toBeGreaterThan(1);
    expect(colours.size).toBeLessThanOrEqual(16);
  });

  it('keeps alpha separately', async () => {
    const { data: rgb } = await sharp(photo('chelsea')).raw().toBuffer({ resolveWithObject: true });
    const alpha = Buffer.alloc(451 * 300);
    for (let i = 0; i < alpha.length; i++) alpha[i] = i % 451 < 200 ? 0 : 200;
    const rgba = await sharp(rgb, { raw: { width: 451, height: 300, channels: 3 } })
      .joinChannel(alpha, { raw: { width: 451, height: 300, channels: 1 } })
      .png()
      .toBuffer();
    const decoded = await decodeImage(rgba);
    expect(decoded.alpha).not.toBeNull();
    expect(firstDifference(decoded.alpha!.data, alpha)).toBe(-1);
    expect(maxDifference(decoded.rgb.data, new Uint8Array(rgb))).toBe(0);
  });

  it('converts a non-sRGB ICC profile to sRGB', async () => {
    const p3 = await sharp(photo('coffee')).withIccProfile('p3').png().toBuffer();
    expect((await sharp(p3).metadata()).hasProfile).toBe(true);
    const decoded = await decodeImage(p3);
    // The P3 file stores different numbers than sRGB; the decoder must map them back close to the original.
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    const original = await rawRgb(photo('coffee'));
    let decodedError = 0;
    let storedError = 0;
    for (let i = 0; i < original.length; i++) {
      decodedError += Math.abs(decoded.rgb.data[i]! - original[i]!);
      storedError += Math.abs(stored[i]! - original[i]!);
    }
    expect(storedError / original.length).toBeGreaterThan(2);
    expect(decodedError / original.length).toBeLessThan(1);
  });

  it('decodes a working frame straight to the requested size, crop included', async () => {
    const source = await openImage(await readFile(photo('coffee')));
    expect(source.info).toMatchObject({ format: 'png', width: 600, height: 400, hasAlpha: false });
    const frame = await source.decode({ width: 768, height: 512 });
    expect([frame.width, frame.height, frame.rgb.data.length]).toEqual([768, 512, 768 * 512 * 3]);
    expect(frame.original).toEqual({ width: 600, height: 400 });
    const crop = await source.decode({ width: 64, height: 64, cropImagePx: { x0: 100, y0: 50, x1: 200, y1: 150 } });
    const expected = await sharp(photo('coffee'))
      .extract({ left: 100, top: 50, width: 100, height: 100 })
      .resize(64, 64, { fit: 'fill' })
      .raw()
      .toBuffer();
    expect(maxDifference(crop.rgb.data, new Uint8Array(expected))).toBe(0);
  });
});
