import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isIirError } from '../../../../shared/errors';
import { encodeJpegKeepingBlocks, readJpeg } from '../../../../main/image/jpeg';
import { photo } from '../helpers';
import { hasLibjpegTools, photoPpm, sequentialScanScript, tool } from './helpers';

const blank = (width: number, height: number) => ({
  pixels: { data: new Uint8Array(width * height * 3), width, height, channels: 3 as const },
  region: new Uint8Array(width * height).fill(1),
});

/** Offset of the first frame header (SOFn) marker. */
function frameMarkerAt(jpeg: Uint8Array): number {
  let p = 2;
  while (!(jpeg[p + 1]! >= 0xc0 && jpeg[p + 1]! <= 0xc2)) p += 2 + ((jpeg[p + 2]! << 8) | jpeg[p + 3]!);
  return p;
}

function expectCorrupt(run: () => unknown, detail: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isIirError(caught) && caught.code).toBe('invalid_argument');
  const message = (caught as Error).message;
  expect(message).toMatch(/^the JPEG is truncated or corrupt \(.+\)$/);
  expect(message).toMatch(detail);
  expect(message).not.toContain('\n');
}

describe.skipIf(!hasLibjpegTools)('JPEGs the block-keeping writer cannot keep', () => {
  it('falls back, with a plain reason, for arithmetic-coded, 12-bit and lossless files', async () => {
    const ppm = await photoPpm('coffee', { width: 301, height: 203 });
    const { pixels, region } = blank(301, 203);
    const arithmetic = tool('cjpeg', ['-arithmetic', ppm]);
    expect(encodeJpegKeepingBlocks(arithmetic, pixels, region)).toEqual({
      fallback: 'The JPEG uses arithmetic coding, which block-keeping export does not read.',
    });
    // libjpeg-turbo 2.1's cjpeg writes neither 12-bit nor lossless files: their frame headers are set by hand. The
    // reader must refuse them from the header alone, before any entropy-coded data.
    for (const progressive of [false, true]) {
      const twelveBit = tool('cjpeg', progressive ? ['-progressive', ppm] : [ppm]);
      twelveBit[frameMarkerAt(twelveBit) + 4] = 12;
      expect(encodeJpegKeepingBlocks(twelveBit, pixels, region)).toEqual({
        fallback: 'The JPEG has 12-bit samples; block-keeping export reads 8-bit JPEGs.',
      });
    }
    const huge = tool('cjpeg', [ppm]);
    huge.fill(0xff, frameMarkerAt(huge) + 5, frameMarkerAt(huge) + 9);
    expect(encodeJpegKeepingBlocks(huge, pixels, region)).toEqual({
      fallback: 'The JPEG has over 400 megapixels, too many for block-keeping export.',
    });
    // 4×3 luma sampling is legal in one-component scans but gives 14 blocks per MCU: no interleaved output scan.
    const script = sequentialScanScript();
    expect(encodeJpegKeepingBlocks(tool('cjpeg', ['-sample', '4x3', '-scans', script, ppm]), pixels, region)).toEqual({
      fallback: 'The JPEG has chroma sampling that a single-scan JPEG cannot hold.',
    });
    const lossless = tool('cjpeg', [ppm]);
    lossless[frameMarkerAt(lossless) + 1] = 0xc3;
    expect(encodeJpegKeepingBlocks(lossless, pixels, region)).toEqual({
      fallback: 'The JPEG is lossless, which block-keeping export does not read.',
    });
  });

  it('keeps a CMYK file whose region touches nothing, and falls back when it must re-encode CMYK', async () => {
    const cmyk = new Uint8Array(await sharp(photo('chelsea')).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer());
    const frame = readJpeg(cmyk);
    expect(frame.colorSpace).toBe('cmyk');
    const { pixels, region } = blank(frame.width, frame.height);
    const kept = encodeJpegKeepingBlocks(cmyk, pixels, new Uint8Array(region.length));
    if ('fallback' in kept) throw new Error(kept.fallback);
    const [a, b] = await Promise.all([cmyk, kept.bytes].map((bytes) => sharp(bytes).raw().toBuffer()));
    expect(a!.equals(b!)).toBe(true);
    expect(encodeJpegKeepingBlocks(cmyk, pixels, region)).toEqual({
      fallback: 'The JPEG stores CMYK colour, which block-keeping export cannot re-encode.',
    });
  });
});

describe.skipIf(!hasLibjpegTools)('damaged JPEGs and mismatched inputs', () => {
  it('refuses truncated and damaged files with a one-line error', async () => {
    const ppm = await photoPpm('coffee', { width: 301, height: 203 });
    const { pixels, region } = blank(301, 203);
    const baseline = tool('cjpeg', ['-restart', '1', ppm]);
    const progressive = tool('cjpeg', ['-progressive', ppm]);
    for (const jpeg of [baseline, progressive]) {
      const keep = (bytes: Uint8Array) => (): unknown => encodeJpegKeepingBlocks(bytes, pixels, region);
      expectCorrupt(keep(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), /ends inside the image data/);
      expectCorrupt(keep(jpeg.subarray(0, jpeg.length - 2)), /ends inside the image data/);
      // Cut short but closed with an end marker, as some tools save a broken download: the scan runs out of bits.
      const closed = new Uint8Array([...jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 0xff, 0xd9]);
      expectCorrupt(keep(closed), /ends in the middle of a scan/);
      expectCorrupt(keep(jpeg.subarray(0, 150)), /segment runs past the end|ends before/);
    }
    // The middle of the entropy-coded data overwritten with stuffed 0xFF bytes: an all-ones bit run is no code.
    const damaged = baseline.slice();
    for (let p = damaged.length >> 1; p < (damaged.length >> 1) + 64; p += 2) damaged.set([0xff, 0x00], p);
    expectCorrupt(() => readJpeg(damaged), /Huffman code|restart marker/);
    // A restart marker removed: the interval after it cannot be aligned.
    const rst = baseline.findIndex((b, i) => b === 0xff && baseline[i + 1] === 0xd3);
    const missing = new Uint8Array([...baseline.subarray(0, rst), ...baseline.subarray(rst + 2)]);
    expectCorrupt(() => readJpeg(missing), /restart marker is missing/);
    expectCorrupt(() => readJpeg(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0])), /no JPEG start marker/);
  });

  it('refuses pixels or a region of another size than the JPEG', async () => {
    const jpeg = tool('cjpeg', [await photoPpm('coffee', { width: 301, height: 203 })]);
    const { pixels, region } = blank(301, 203);
    expect(() => encodeJpegKeepingBlocks(jpeg, { ...pixels, width: 300 }, region)).toThrow(
      'the edited image is 300×203 but the JPEG is 301×203',
    );
    expect(() => encodeJpegKeepingBlocks(jpeg, pixels, region.subarray(1))).toThrow(/the region has 61102 bytes/);
  });
});
