import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeJpegKeepingBlocks, readJpeg, type JpegFrame } from '../../../../main/image/jpeg';
import { dir, djpeg, hasLibjpegTools, photoPpm, sequentialScanScript, tool, writePnm, type Pnm } from './helpers';

interface Case {
  readonly name: string;
  readonly odd: boolean;
  /** cjpeg settings of the source; cjpeg with them re-encodes the composite as the reference for touched MCUs. */
  readonly args: readonly string[];
  readonly progressive?: boolean;
  readonly fancyExact: boolean;
  /** Lowest PSNR (dB) of the decoded output against the composite inside the region. */
  readonly psnr: number;
}

const cases: readonly Case[] = [
  { name: '4:2:0', odd: false, args: ['-quality', '85'], fancyExact: false, psnr: 38 },
  {
    name: '4:2:2, odd size, restarts',
    odd: true,
    args: ['-sample', '2x1', '-restart', '5B'],
    fancyExact: false,
    psnr: 38,
  },
  { name: '4:4:4, odd size', odd: true, args: ['-quality', '90', '-sample', '1x1'], fancyExact: true, psnr: 42 },
  { name: 'gray, odd size', odd: true, args: ['-grayscale', '-quality', '80'], fancyExact: true, psnr: 42 },
  { name: 'progressive 4:2:0', odd: false, args: ['-quality', '80'], progressive: true, fancyExact: false, psnr: 38 },
  { name: '4:4:0, odd size', odd: true, args: ['-sample', '1x2'], fancyExact: false, psnr: 38 },
  { name: '4:1:1', odd: false, args: ['-sample', '4x1'], fancyExact: false, psnr: 34 },
  { name: 'RGB (no colour transform)', odd: true, args: ['-rgb', '-quality', '92'], fancyExact: true, psnr: 42 },
  { name: 'sequential, a scan per component', odd: true, args: ['-scans', 'SEQUENTIAL'], fancyExact: false, psnr: 38 },
];

/** cjpeg arguments with the scan script written out (a script of one full scan per component: still sequential). */
function cjpegArgs(args: readonly string[]): string[] {
  const script = sequentialScanScript();
  return args.map((a) => (a === 'SEQUENTIAL' ? script : a));
}

/** The edit: a feathered disc whose colours rotate (R→G→B); the region is the disc dilated by 6 px. */
function edit(decoded: Pnm): { composited: Pnm; region: Uint8Array } {
  const { width, height, channels } = decoded;
  const data = new Uint8Array(decoded.data);
  const region = new Uint8Array(width * height);
  const cx = width * 0.45;
  const cy = height * 0.55;
  const radius = Math.min(width, height) * 0.22;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d > radius + 6) continue;
      region[y * width + x] = 255;
      const alpha = Math.min(1, Math.max(0, (radius + 4 - d) / 8));
      const p = (y * width + x) * channels;
      const source = data.slice(p, p + channels);
      for (let k = 0; k < channels; k++) {
        const target = channels === 3 ? source[(k + 2) % 3]! : 255 - source[k]!;
        data[p + k] = Math.round(source[k]! * (1 - alpha) + target * alpha);
      }
    }
  }
  return { composited: { ...decoded, data }, region };
}

/** 1 per MCU with a region pixel, computed here without the module. */
function touchedMap(frame: JpegFrame, region: Uint8Array): Uint8Array {
  const single = frame.components.length === 1;
  const mcuW = single ? 8 : 8 * frame.hmax;
  const mcuH = single ? 8 : 8 * frame.vmax;
  const touched = new Uint8Array(frame.mcusX * frame.mcusY);
  region.forEach((v, i) => {
    if (v) touched[Math.floor(i / frame.width / mcuH) * frame.mcusX + Math.floor((i % frame.width) / mcuW)] = 1;
  });
  return touched;
}

/** For every pixel: 0 = in an untouched MCU, 1 = within 1 px of a touched MCU, 2 = in a touched MCU. */
function pixelClasses(frame: JpegFrame, touched: Uint8Array): Uint8Array {
  const single = frame.components.length === 1;
  const mcuW = single ? 8 : 8 * frame.hmax;
  const mcuH = single ? 8 : 8 * frame.vmax;
  const { width, height } = frame;
  const at = (x: number, y: number): number => touched[Math.floor(y / mcuH) * frame.mcusX + Math.floor(x / mcuW)]!;
  const classes = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (at(x, y)) classes[y * width + x] = 2;
      else {
        let near = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = Math.min(width - 1, Math.max(0, x + dx));
            const ny = Math.min(height - 1, Math.max(0, y + dy));
            near |= at(nx, ny);
          }
        }
        classes[y * width + x] = near;
      }
    }
  }
  return classes;
}

/** Samples of `a` and `b` that differ among pixels whose class is in `classes`. */
function differing(a: Pnm, b: Pnm, classOf: Uint8Array, classes: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < classOf.length; i++) {
    if (!classes.includes(classOf[i]!)) continue;
    for (let k = 0; k < a.channels; k++) if (a.data[i * a.channels + k] !== b.data[i * b.channels + k]) count++;
  }
  return count;
}

function psnrInRegion(a: Pnm, b: Pnm, region: Uint8Array): number {
  let squared = 0;
  let n = 0;
  for (let i = 0; i < region.length; i++) {
    if (!region[i]) continue;
    for (let k = 0; k < a.channels; k++) {
      squared += (a.data[i * a.channels + k]! - b.data[i * b.channels + k]!) ** 2;
      n++;
    }
  }
  return 10 * Math.log10((255 * 255 * n) / squared);
}

describe.skipIf(!hasLibjpegTools)('block-keeping writer with an edited region', () => {
  it.each(cases)(
    '$name: untouched MCUs decode bit-identically, touched ones as cjpeg encodes the composite',
    async (c) => {
      const ppm = await photoPpm('coffee', c.odd ? { width: 301, height: 203 } : undefined);
      const baseline = tool('cjpeg', [...cjpegArgs(c.args), ppm]);
      const source = c.progressive ? tool('jpegtran', ['-progressive'], baseline) : baseline;
      const sourceFrame = readJpeg(source);
      const { composited, region } = edit(djpeg(source));
      const result = encodeJpegKeepingBlocks(source, composited, region);
      if ('fallback' in result) throw new Error(result.fallback);

      const touched = touchedMap(sourceFrame, region);
      const expectedTouched = touched.reduce((n, t) => n + t, 0);
      expect(result.mcusReencoded).toBe(expectedTouched);
      expect(expectedTouched).toBeGreaterThan(0);
      expect(expectedTouched).toBeLessThan(result.mcusTotal / 2);

      const classes = pixelClasses(sourceFrame, touched);
      // Block-exact decoding (no fancy upsampling): nothing outside the touched MCUs changes.
      expect(differing(djpeg(result.bytes, true), djpeg(source, true), classes, [0, 1])).toBe(0);
      // Default decoding smooths chroma across MCU borders: only the 1-pixel seam of subsampled files may differ.
      const decoded = djpeg(result.bytes);
      expect(differing(decoded, djpeg(source), classes, c.fancyExact ? [0, 1] : [0])).toBe(0);

      const compositedPath = join(dir, `composited-${c.name.replace(/\W+/g, '-')}.pnm`);
      writePnm(compositedPath, composited);
      const reference = tool('cjpeg', [...cjpegArgs(c.args), compositedPath]);
      expect(differing(djpeg(result.bytes, true), djpeg(reference, true), classes, [2])).toBe(0);
      expect(psnrInRegion(decoded, composited, region)).toBeGreaterThan(c.psnr);

      const { info } = await sharp(result.bytes).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([composited.width, composited.height]);
    },
  );

  it('keeps the coefficients of untouched MCUs and ignores an alpha channel', async () => {
    const source = tool('cjpeg', ['-quality', '85', await photoPpm('coffee')]);
    const { composited, region } = edit(djpeg(source));
    const rgba = new Uint8Array(composited.width * composited.height * 4);
    for (let i = 0; i < composited.width * composited.height; i++) {
      rgba.set(composited.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = i & 255;
    }
    const fromRgb = encodeJpegKeepingBlocks(source, composited, region);
    const fromRgba = encodeJpegKeepingBlocks(source, { ...composited, data: rgba, channels: 4 }, region);
    if ('fallback' in fromRgb || 'fallback' in fromRgba) throw new Error('unexpected fallback');
    expect(Buffer.from(fromRgba.bytes).equals(Buffer.from(fromRgb.bytes))).toBe(true);

    const before = readJpeg(source);
    const after = readJpeg(fromRgb.bytes);
    const touched = touchedMap(before, region);
    let keptBlocks = 0;
    before.components.forEach((component, ci) => {
      const blocksPerMcu = component.h * component.v;
      for (let by = 0; by < component.blocksH; by++) {
        for (let bx = 0; bx < component.blocksW; bx++) {
          const mcu = Math.floor(by / component.v) * before.mcusX + Math.floor(bx / component.h);
          if (touched[mcu]) continue;
          const offset = (by * component.blocksW + bx) * 64;
          const a = component.coefs.subarray(offset, offset + 64);
          const b = after.components[ci]!.coefs.subarray(offset, offset + 64);
          expect(Buffer.from(b.buffer, b.byteOffset, 128).equals(Buffer.from(a.buffer, a.byteOffset, 128))).toBe(true);
          keptBlocks += 1 / blocksPerMcu;
        }
      }
    });
    expect(Math.round(keptBlocks / before.components.length)).toBe(fromRgb.mcusTotal - fromRgb.mcusReencoded);
  });
});
