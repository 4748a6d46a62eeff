import { beforeAll, describe, expect, it } from 'vitest';
import { encodeJpegKeepingBlocks, readJpeg, type JpegFrame } from '../../../../main/image/jpeg';
import { firstDifference } from '../helpers';
import { djpeg, hasLibjpegTools, sourceJpegs, tool } from './helpers';

/** Index of the first block (within the image's own block grid, MCU padding excluded) whose coefficients differ. */
function firstDifferentBlock(a: JpegFrame, b: JpegFrame): string | undefined {
  for (let i = 0; i < a.components.length; i++) {
    const ca = a.components[i]!;
    const cb = b.components[i]!;
    for (let row = 0; row < Math.ceil(ca.sampleHeight / 8); row++) {
      for (let col = 0; col < Math.ceil(ca.sampleWidth / 8); col++) {
        const ia = (row * ca.blocksW + col) * 64;
        const ib = (row * cb.blocksW + col) * 64;
        for (let k = 0; k < 64; k++) {
          if (ca.coefs[ia + k] !== cb.coefs[ib + k]) return `component ${i}, block (${col}, ${row}), coefficient ${k}`;
        }
      }
    }
  }
  return undefined;
}

/** The entropy-coded bytes of a single-scan JPEG. */
function scanData(jpeg: Uint8Array): Uint8Array {
  const frame = readJpeg(jpeg);
  expect(frame.scans).toHaveLength(1);
  return frame.scans[0]!.data;
}

describe.skipIf(!hasLibjpegTools)('JPEG coefficient reader and block-keeping writer, empty region', () => {
  let sources: Record<string, Uint8Array>;
  beforeAll(async () => {
    sources = await sourceJpegs();
  });

  it('reads the same coefficients from a file and from its lossless jpegtran transcode (baseline ⇄ progressive)', () => {
    for (const [name, jpeg] of Object.entries(sources)) {
      const frame = readJpeg(jpeg);
      const transcoded = tool('jpegtran', frame.progressive ? [] : ['-progressive'], jpeg);
      const other = readJpeg(transcoded);
      expect(other.progressive, name).toBe(!frame.progressive);
      expect(firstDifferentBlock(frame, other), name).toBeUndefined();
    }
  });

  it('writes a baseline file that djpeg decodes exactly like the source, for every sampling and scan type', () => {
    for (const [name, jpeg] of Object.entries(sources)) {
      const frame = readJpeg(jpeg);
      const pixels = new Uint8Array(frame.width * frame.height * 3).fill(77);
      const result = encodeJpegKeepingBlocks(
        jpeg,
        { data: pixels, width: frame.width, height: frame.height, channels: 3 },
        new Uint8Array(frame.width * frame.height),
      );
      if ('fallback' in result) throw new Error(`${name}: ${result.fallback}`);
      expect(result.mcusReencoded, name).toBe(0);
      expect(result.mcusTotal, name).toBe(frame.mcusX * frame.mcusY);
      const written = readJpeg(result.bytes);
      expect(written.progressive, name).toBe(false);
      expect(written.restartInterval, name).toBe(frame.restartInterval);
      expect(firstDifference(djpeg(result.bytes).data, djpeg(jpeg).data), name).toBe(-1);
    }
  });

  it('writes restart markers at the source interval', () => {
    const jpeg = sources['baseline 4:2:2, odd size, restarts every 5 MCUs']!;
    const frame = readJpeg(jpeg);
    const result = encodeJpegKeepingBlocks(
      jpeg,
      { data: new Uint8Array(frame.width * frame.height), width: frame.width, height: frame.height, channels: 1 },
      new Uint8Array(frame.width * frame.height),
    );
    if ('fallback' in result) throw new Error(result.fallback);
    const data = scanData(result.bytes);
    let restarts = 0;
    for (let i = 0; i + 1 < data.length; i++)
      if (data[i] === 0xff && data[i + 1]! >= 0xd0 && data[i + 1]! <= 0xd7) restarts++;
    expect(frame.restartInterval).toBe(5);
    expect(restarts).toBe(Math.ceil((frame.mcusX * frame.mcusY) / 5) - 1);
  });

  it('codes the data with the Huffman tables libjpeg optimises (same bytes as jpegtran -optimize) and shrinks cjpeg files', () => {
    for (const name of ['baseline 4:2:0', 'baseline 4:4:4', 'baseline 4:2:2', 'gray, odd size']) {
      const jpeg = sources[name]!;
      const frame = readJpeg(jpeg);
      const result = encodeJpegKeepingBlocks(
        jpeg,
        { data: new Uint8Array(frame.width * frame.height), width: frame.width, height: frame.height, channels: 1 },
        new Uint8Array(frame.width * frame.height),
      );
      if ('fallback' in result) throw new Error(result.fallback);
      const optimized = tool('jpegtran', ['-optimize', '-copy', 'all'], jpeg);
      expect(firstDifference(scanData(result.bytes), scanData(optimized)), name).toBe(-1);
      expect(result.bytes.length, name).toBeLessThan(jpeg.length);
    }
  });
});
