import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { isIirError } from '../../../shared/errors';
import { decodeImage } from '../../../main/image/decode';
import { outputDir, photo } from './helpers';

const dir = outputDir('image-bad-input');

async function failure(input: string | Uint8Array): Promise<{ code: string; message: string }> {
  try {
    await decodeImage(input);
  } catch (error) {
    expect(isIirError(error)).toBe(true);
    const { code, message } = error as { code: string; message: string };
    expect(message).not.toContain('\n');
    return { code, message };
  }
  throw new Error('decodeImage accepted bad input');
}

/** A real 8×8 PNG whose IHDR is rewritten to claim `width`×`height`, with the chunk CRC fixed. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('bad input', () => {
  it('refuses an empty file', async () => {
    const path = join(dir, 'empty.jpg');
    writeFileSync(path, '');
    expect(await failure(path)).toEqual({ code: 'invalid_argument', message: 'empty.jpg is empty (0 bytes)' });
  });

  it('refuses a text file named .png', async () => {
    const path = join(dir, 'notes.png');
    writeFileSync(path, 'shopping list:\n- milk\n- bread\n');
    expect(await failure(path)).toEqual({
      code: 'invalid_argument',
      message: 'notes.png is not an image (it looks like text)',
    });
  });

  it('refuses binary noise', async () => {
    const noise = Uint8Array.from({ length: 256 }, (_, i) => (i * 73 + 11) % 256);
    expect((await failure(noise)).message).toBe('the input is not an image (unrecognised format)');
  });

  it('refuses a truncated JPEG when decoding', async () => {
    const jpeg = await readFile(photo('coffee')).then((png) => sharp(png).jpeg().toBuffer());
    const path = join(dir, 'cut.jpg');
    writeFileSync(path, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const { code, message } = await failure(path);
    expect(code).toBe('invalid_argument');
    expect(message).toMatch(/^cut\.jpg is truncated or corrupt \(.*premature end.*\)$/i);
  });

  it.each([
    ['png', (s: Sharp) => s.png()],
    ['webp', (s: Sharp) => s.webp()],
    ['gif', (s: Sharp) => s.gif()],
    ['tiff', (s: Sharp) => s.tiff({ compression: 'lzw' })],
  ] as const)('calls a cut %s file truncated, not "not an image"', async (_, encode) => {
    const bytes = await encode(sharp(photo('coffee'))).toBuffer();
    const { code, message } = await failure(bytes.subarray(0, bytes.length >> 1));
    expect(code).toBe('invalid_argument');
    expect(message).toMatch(/^the input is truncated or corrupt \(.+\)$/);
  });

  it('refuses a header claiming more than 100 megapixels before decoding', async () => {
    const path = join(dir, 'bomb.png');
    writeFileSync(path, await pngClaiming(20000, 20000));
    expect((await sharp(path, { limitInputPixels: false }).metadata()).width).toBe(20000);
    expect(await failure(path)).toEqual({
      code: 'invalid_argument',
      message: 'bomb.png is 20000×20000 (400.0 megapixels); the limit is 100 megapixels',
    });
  });

  it('accepts a header of exactly 100 megapixels as far as the size check goes', async () => {
    // 10000×10000 passes the size check and then fails on the (missing) pixel data: truncated, not too large.
    expect((await failure(await pngClaiming(10000, 10000))).message).toMatch(/^the input is truncated or corrupt/);
  });

  it('refuses a missing path', async () => {
    expect(await failure(join(dir, 'nowhere.jpg'))).toEqual({
      code: 'not_found',
      message: 'cannot read nowhere.jpg: no such file',
    });
  });

  it('refuses a folder', async () => {
    const folder = join(dir, 'folder.png');
    mkdirSync(folder, { recursive: true });
    expect(await failure(folder)).toEqual({ code: 'io_error', message: 'cannot read folder.png: it is a folder' });
  });

  it('refuses a path through a file', async () => {
    const path = join(photo('chelsea'), 'inside.png');
    expect(await failure(path)).toEqual({
      code: 'io_error',
      message: 'cannot read inside.png: a part of the path is not a folder',
    });
  });

  it.runIf(process.getuid?.() !== 0)('refuses an unreadable file', async () => {
    const path = join(dir, 'locked.png');
    writeFileSync(path, await readFile(photo('chelsea')));
    chmodSync(path, 0o000);
    expect(await failure(path)).toEqual({ code: 'io_error', message: 'cannot read locked.png: permission denied' });
  });

  it('refuses a format it does not edit', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>',
    );
    expect((await failure(svg)).message).toBe(
      'the input is in SVG format; supported formats: JPEG, PNG, WebP, TIFF, AVIF, GIF',
    );
  });
});
