import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeJpegKeepingBlocks, readJpeg } from '../../../../main/image/jpeg';
import { firstDifference } from '../helpers';
import { djpeg, hasLibjpegTools, parsePnm, photoPpm, tool } from './helpers';

/** Re-encodes every MCU of `source` from the RGB pixels in `ppm`. */
function reencodeAll(source: Uint8Array, ppm: string): Uint8Array {
  const pixels = parsePnm(readFileSync(ppm));
  const result = encodeJpegKeepingBlocks(source, pixels, new Uint8Array(pixels.width * pixels.height).fill(1));
  if ('fallback' in result) throw new Error(result.fallback);
  expect(result.mcusReencoded).toBe(result.mcusTotal);
  return result.bytes;
}

describe.skipIf(!hasLibjpegTools)('block-keeping writer, every MCU re-encoded', () => {
  it.each([
    [1, 1],
    [5, 3],
    [17, 9],
    [33, 1],
    [1, 40],
  ])('a %i×%i image decodes exactly like cjpeg’s encoding of the same pixels', async (width, height) => {
    const ppm = await photoPpm('chelsea', { width, height });
    for (const args of [[], ['-sample', '2x1'], ['-sample', '1x1'], ['-progressive']]) {
      // The source holds another photo, so nothing of it can survive a full re-encode unnoticed.
      const flat = await photoPpm('coffee', { width, height });
      const source = tool('cjpeg', [...args, flat]);
      const written = reencodeAll(source, ppm);
      const reference = tool('cjpeg', [...args, ppm]);
      expect(firstDifference(djpeg(written).data, djpeg(reference).data), `${args.join(' ')}`).toBe(-1);
      expect(readJpeg(written).width).toBe(width);
    }
  });

  it('converts RGB pixels to gray as libjpeg does for a grayscale source', async () => {
    const ppm = await photoPpm('chelsea', { width: 301, height: 203 });
    const source = tool('cjpeg', [
      '-grayscale',
      '-quality',
      '70',
      await photoPpm('coffee', { width: 301, height: 203 }),
    ]);
    const written = reencodeAll(source, ppm);
    const reference = tool('cjpeg', ['-grayscale', '-quality', '70', ppm]);
    expect(djpeg(written).channels).toBe(1);
    expect(firstDifference(djpeg(written).data, djpeg(reference).data)).toBe(-1);
  });
});
