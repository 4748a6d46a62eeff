import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeJpegKeepingBlocks, readJpeg } from '../../../../main/image/jpeg';
import { dir, djpeg, hasLibjpegTools, photoPpm, tool } from './helpers';

const hasExiftool = spawnSync('exiftool', ['-ver'], { stdio: 'ignore' }).error === undefined;

/**
 * A JPEG with a second image appended and an MPF (CIPA DC-007) APP2 segment indexing both, as phones write gain
 * maps and depth maps: big-endian TIFF, an IFD of MPFVersion, NumberOfImages and two MP entries.
 */
function withMpf(main: Uint8Array, secondary: Uint8Array): Uint8Array {
  const insertAt = 4 + ((main[4]! << 8) | main[5]!); // after the APP0 JFIF segment
  const segmentLength = 2 + 4 + 8 + 2 + 3 * 12 + 4 + 32;
  const imageEnd = main.length + 2 + segmentLength;
  const tiffAt = insertAt + 8;
  const app2 = Buffer.alloc(2 + segmentLength);
  app2.writeUInt16BE(0xffe2, 0);
  app2.writeUInt16BE(segmentLength, 2);
  app2.write('MPF\0', 4, 'latin1');
  const t = app2.subarray(8);
  t.write('MM', 0, 'latin1');
  t.writeUInt16BE(0x2a, 2);
  t.writeUInt32BE(8, 4);
  t.writeUInt16BE(3, 8);
  const tags: [number, number, number, number | string][] = [
    [0xb000, 7, 4, '0100'],
    [0xb001, 4, 1, 2],
    [0xb002, 7, 32, 8 + 2 + 36 + 4],
  ];
  tags.forEach(([tag, type, count, value], i) => {
    const at = 10 + 12 * i;
    t.writeUInt16BE(tag, at);
    t.writeUInt16BE(type, at + 2);
    t.writeUInt32BE(count, at + 4);
    if (typeof value === 'string') t.write(value, at + 8, 'latin1');
    else t.writeUInt32BE(value, at + 8);
  });
  const entries = 8 + 2 + 36 + 4;
  t.writeUInt32BE(0x20030000, entries); // baseline primary image
  t.writeUInt32BE(imageEnd, entries + 4);
  t.writeUInt32BE(0, entries + 8);
  t.writeUInt32BE(0x00000000, entries + 16);
  t.writeUInt32BE(secondary.length, entries + 20);
  t.writeUInt32BE(imageEnd - tiffAt, entries + 24);
  return new Uint8Array(Buffer.concat([main.subarray(0, insertAt), app2, main.subarray(insertAt), secondary]));
}

function secondImage(path: string): Buffer {
  return execFileSync('exiftool', ['-b', '-MPImage2', path], { maxBuffer: 1 << 26 });
}

describe.skipIf(!hasLibjpegTools)('block-keeping writer and MPF secondary images', () => {
  it('appends the secondary image unchanged and points the MPF entries at it', async () => {
    const main = tool('cjpeg', ['-quality', '85', await photoPpm('coffee', { width: 301, height: 203 })]);
    const secondary = tool('cjpeg', ['-grayscale', await photoPpm('chelsea', { width: 64, height: 48 })]);
    const source = withMpf(main, secondary);
    const frame = readJpeg(source);
    expect(Buffer.from(frame.trailing).equals(Buffer.from(secondary))).toBe(true);
    const region = new Uint8Array(frame.width * frame.height).fill(1, 0, frame.width * 40);
    const result = encodeJpegKeepingBlocks(source, djpeg(source), region);
    if ('fallback' in result) throw new Error(result.fallback);
    const written = readJpeg(result.bytes);
    expect(written.imageEnd).not.toBe(frame.imageEnd);
    expect(Buffer.from(written.trailing).equals(Buffer.from(secondary))).toBe(true);
    expect(djpeg(result.bytes.subarray(written.imageEnd)).width).toBe(64);

    if (!hasExiftool) return console.warn('MPF check by exiftool skipped: exiftool missing');
    writeFileSync(join(dir, 'mpf-source.jpg'), source);
    writeFileSync(join(dir, 'mpf-output.jpg'), result.bytes);
    // exiftool follows the MPF offsets: the source is well formed, and the output's entries find the image again.
    expect(secondImage(join(dir, 'mpf-source.jpg')).equals(Buffer.from(secondary))).toBe(true);
    expect(secondImage(join(dir, 'mpf-output.jpg')).equals(Buffer.from(secondary))).toBe(true);
  });
});
