import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';
import { encodeGrayPng, encodeImage } from '../../../main/image/encode';
import { addPngText, readPngText } from '../../../main/image/pngText';
import { readImageText } from '../../../main/image/readText';
import { readMask } from '../../../main/image/readMask';
import { formatForPath, writeFileAtomic, writeFilesAtomic } from '../../../main/image/writeFile';
import { isIirError } from '../../../shared/errors';
import { firstDifference, outputDir, photo } from './helpers';

const dir = outputDir('image-encode');

const recipe = JSON.stringify({
  prompt: 'a green cup — «café» 🍵 <b>&amp;</b>',
  seed: 42,
  steps: [1, 2, 3],
  note: 'line one\nline two',
});

describe('encodeImage', () => {
  it('round-trips pixels and alpha through PNG, exactly', async () => {
    const { rgb } = await decodeImage(photo('chelsea'));
    const alpha = { width: rgb.width, height: rgb.height, data: new Uint8Array(rgb.width * rgb.height) };
    alpha.data.forEach((_, i) => (alpha.data[i] = i % 256));
    for (const fast of [true, false]) {
      const png = await encodeImage(rgb, alpha, { format: 'png', fast });
      const back = await decodeImage(png);
      expect(firstDifference(back.rgb.data, rgb.data)).toBe(-1);
      expect(firstDifference(back.alpha!.data, alpha.data)).toBe(-1);
    }
  });

  it('uses a faster zlib level for intermediates', async () => {
    const { rgb } = await decodeImage(photo('astronaut'));
    const fast = await encodeImage(rgb, null, { format: 'png', fast: true });
    const small = await encodeImage(rgb, null, { format: 'png' });
    expect(fast.length).toBeGreaterThan(small.length);
  });

  it('writes JPEG and WebP that decode to nearly the same pixels', async () => {
    const { rgb } = await decodeImage(photo('coffee'));
    for (const format of ['jpeg', 'webp'] as const) {
      const bytes = await encodeImage(rgb, null, { format, quality: 95 });
      const back = await decodeImage(bytes);
      expect(back.format).toBe(format);
      let sum = 0;
      for (let i = 0; i < rgb.data.length; i++) sum += Math.abs(back.rgb.data[i]! - rgb.data[i]!);
      expect(sum / rgb.data.length).toBeLessThan(3);
    }
  });

  it.each(['png', 'jpeg', 'webp'] as const)('stores text metadata in %s and reads it back', async (format) => {
    const { rgb } = await decodeImage(photo('chelsea'));
    const metadata = { 'iir-recipe': recipe, Software: 'IIR Studio' };
    const bytes = await encodeImage(rgb, null, { format, metadata });
    expect(await readImageText(bytes)).toEqual(metadata);
    const path = join(dir, `recipe.${format === 'jpeg' ? 'jpg' : format}`);
    writeFileSync(path, bytes);
    expect(JSON.parse((await readImageText(path))['iir-recipe']!)).toEqual(JSON.parse(recipe));
    // Other readers see it too: sharp lists PNG text chunks, and the XMP packet for JPEG/WebP.
    const seen = await sharp(bytes).metadata();
    if (format === 'png') expect(seen.comments?.find((c) => c.keyword === 'Software')?.text).toBe('IIR Studio');
    else expect(seen.xmpAsString).toContain('iir-recipe');
  });

  it('writes ASCII as tEXt and other text as iTXt, with valid CRCs', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const withText = addPngText(png, { plain: 'abc', fancy: 'é🍵' });
    const text = Buffer.from(withText).toString('latin1');
    expect(text).toContain('tEXtplain\0abc');
    expect(text).toContain('iTXtfancy\0');
    expect(readPngText(withText)).toEqual({ plain: 'abc', fancy: 'é🍵' });
    // libpng checks every CRC while decoding.
    expect((await sharp(withText, { failOn: 'warning' }).raw().toBuffer()).length).toBe(12);
  });

  it('refuses a key PNG cannot hold', async () => {
    const { rgb } = await decodeImage(photo('chelsea'));
    await expect(encodeImage(rgb, null, { format: 'png', metadata: { '': 'x' } })).rejects.toThrow(/metadata key/);
  });

  it('reads no text from an image without any', async () => {
    expect(await readImageText(photo('coffee'))).toEqual({});
  });
});

describe('writing image files', () => {
  it('encodes in the format the name asks for and leaves no temporary file', async () => {
    const { rgb } = await decodeImage(photo('chelsea'));
    const path = join(dir, 'written.webp');
    const bytes = await encodeImage(rgb, null, { format: formatForPath(path), metadata: { k: 'v' } });
    await writeFileAtomic(path, bytes);
    expect((await decodeImage(path)).format).toBe('webp');
    expect(await readImageText(path)).toEqual({ k: 'v' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an unknown extension before writing anything', () => {
    const path = join(dir, 'written.bmp');
    expect(() => formatForPath(path)).toThrow('use a .png, .jpg or .webp name');
    expect(existsSync(path)).toBe(false);
  });

  it('leaves nothing behind when one of several writes fails', async () => {
    const ok = join(dir, 'batch-ok.bin');
    const bad = join(dir, 'no-such-folder', 'batch-bad.bin');
    const error: unknown = await writeFilesAtomic([
      { path: ok, bytes: new Uint8Array([1]) },
      { path: bad, bytes: new Uint8Array([2]) },
    ]).catch((e: unknown) => e);
    expect(isIirError(error) && error.message).toBe(`cannot write ${bad}: no such file`);
    expect(existsSync(ok)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('batch'))).toEqual([]);
  });

  it('leaves nothing behind when cancelled, and keeps an existing file intact', async () => {
    const path = join(dir, 'keep.bin');
    writeFileSync(path, 'old');
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeFilesAtomic([{ path, bytes: new Uint8Array([9]) }], { signal: controller.signal }),
    ).rejects.toThrow('cancelled');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.startsWith('.keep'))).toEqual([]);
  });
});

describe('encodeGrayPng', () => {
  it('writes a one-channel PNG that reads back as the same mask, text included', async () => {
    const mask = { width: 300, height: 200, data: new Uint8Array(300 * 200) };
    mask.data.forEach((_, i) => (mask.data[i] = (i * 7) % 256));
    const png = await encodeGrayPng(mask, { fast: true, metadata: { source: 'test' } });
    expect((await sharp(png).metadata()).channels).toBe(1);
    expect(await readImageText(png)).toEqual({ source: 'test' });
    const path = join(dir, 'gray.png');
    writeFileSync(path, png);
    expect(firstDifference((await readMask(path, { width: 300, height: 200 })).data, mask.data)).toBe(-1);
  });
});

describe('readMask', () => {
  it('reads an RGB PNG as its luma and a painted RGBA PNG by coverage', async () => {
    const width = 4;
    const height = 2;
    const rgb = Buffer.from([
      0, 0, 0, 255, 255, 255, 128, 128, 128, 255, 0, 0, 0, 0, 0, 255, 255, 255, 9, 9, 9, 1, 2, 3,
    ]);
    const path = join(dir, 'mask-rgb.png');
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(path);
    expect(Array.from((await readMask(path)).data)).toEqual([0, 255, 128, 76, 0, 255, 9, 2]);

    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([255, 255, 255, i < 4 ? 0 : 255], i * 4);
    const painted = join(dir, 'mask-rgba.png');
    await sharp(rgba, { raw: { width, height, channels: 4 } })
      .png()
      .toFile(painted);
    const mask = await readMask(painted, { width, height });
    expect(Array.from(mask.data)).toEqual([0, 0, 0, 0, 255, 255, 255, 255]);
  });

  it('reads a gray mask unchanged', async () => {
    const mask = await readMask(photo('grass'));
    const gray = await sharp(photo('grass')).extractChannel(0).raw().toBuffer();
    expect(firstDifference(mask.data, gray)).toBe(-1);
  });

  it('refuses a mask of the wrong size', async () => {
    await expect(readMask(photo('grass'), { width: 600, height: 400 })).rejects.toThrow(
      'the mask grass.png is 512×512 but the image is 600×400; they must be the same size',
    );
  });
});
