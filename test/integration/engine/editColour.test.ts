/**
 * Edits keep the file's colour space, bit depth and metadata: for each profile, depth and format, every stored value
 * outside the blend region of the exported file equals the source's, read back with sharp (libvips) as the oracle;
 * the profile is embedded byte for byte; EXIF, XMP and IPTC survive; GPS goes only when asked.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { compositeMask } from '../../../main/engine/composite';
import { runEdit, type EditVariation } from '../../../main/engine/pipeline';
import { readRecipe } from '../../../main/engine/recipe';
import { openImage, type ImageSource } from '../../../main/image/decode';
import { exportEdit, keptJpegNote, webpIptcNote } from '../../../main/image/exportEdit';
import { parseIccProfile } from '../../../main/image/icc/profile';
import { encodeStored, type ExportFormat } from '../../../main/image/exportStored';
import { exifTiffBytes, readTiffTree } from '../../../main/image/meta/tiffTags';
import type { StoredPixels } from '../../../main/image/stored';
import { computeWorkingFrame } from '../../../shared/image/geometry';
import { createMask, type Mask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { adobeRgb, builtinProfile, grayGamma22, proPhoto } from '../../unit/image/profiles';

const width = 240;
const height = 160;
let models: string;
let photo: Uint8Array;
let exif: Uint8Array;
const xmp =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"' +
  ' exif:GPSLatitude="51,30.0N"><dc:creator><rdf:Seq><rdf:li>Ann Example</rdf:li></rdf:Seq></dc:creator>' +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';
const iptc = Uint8Array.from([0x1c, 0x02, 0x19, 0x00, 0x03, 0x63, 0x75, 0x70]); // Keywords: "cup"
/** exiftool's tags of one file (-j), as a plain record. */
function exiftool(path: string, tags: readonly string[]): Record<string, unknown> {
  const parsed = JSON.parse(execFileSync('exiftool', ['-j', ...tags, path]).toString()) as Record<string, unknown>[];
  return parsed[0] ?? {};
}

const hasExiftool = (() => {
  try {
    execFileSync('exiftool', ['-ver']);
    return true;
  } catch {
    return false;
  }
})();

function roi(w = width, h = height): Mask {
  const mask = createMask(w, h);
  for (let y = Math.floor(h * 0.3); y < Math.floor(h * 0.7); y++) {
    mask.data.fill(255, y * w + Math.floor(w * 0.3), y * w + Math.floor(w * 0.65));
  }
  return mask;
}

/** Stored values from the photo: RGB or gray, 8 or 16 bits (16-bit values use all the low bits), alpha optional. */
function storedFrom(space: 'rgb' | 'gray', depth: 8 | 16, alpha: boolean): StoredPixels {
  const colourChannels = space === 'gray' ? 1 : 3;
  const channels = colourChannels + (alpha ? 1 : 0);
  const n = width * height;
  const data = depth === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [photo[i * 3]!, photo[i * 3 + 1]!, photo[i * 3 + 2]!];
    const colour = space === 'gray' ? [Math.round(0.3 * r + 0.59 * g + 0.11 * b)] : [r, g, b];
    colour.forEach(
      (v, c) => (data[i * channels + c] = depth === 16 ? Math.min(65535, v * 257 + ((i * 31 + c) % 257)) : v),
    );
    if (alpha) data[i * channels + channels - 1] = depth === 16 ? (i * 977) % 65536 : i % 251;
  }
  return { width, height, channels, colourChannels, hasAlpha: alpha, depth, space, data };
}

async function sourceFile(image: StoredPixels, icc: Uint8Array | null, format: ExportFormat): Promise<Uint8Array> {
  const meta = { exif, exifTree: readTiffTree(exif), xmp, iptc, icc, orientation: 1 };
  const options = { format, text: {}, removeLocation: false, quality: 95, lossless: format === 'webp' };
  return (await encodeStored(image, meta, icc, options)).bytes;
}

async function editAndExport(
  bytes: Uint8Array,
  format: ExportFormat,
  options: { removeLocation?: boolean; mask?: Mask } = {},
): Promise<{ source: ImageSource; v: EditVariation; out: Uint8Array; notes: string[] }> {
  const source = await openImage(bytes);
  const result = await runEdit({
    image: source,
    mask: options.mask ?? roi(source.info.width, source.info.height),
    modelsDir: models,
    options: { prompt: 'a green cat', steps: 2, size: 256, provider: 'cpu', sd: 'sd15', controlnet: 'controlnet-iir' },
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
  const v = result.variations[0]!;
  const removeLocation = options.removeLocation ?? false;
  const { bytes: out, notes } = await exportEdit(source, { ...v.stored, recipe: v.recipe }, { format, removeLocation });
  writeFileSync(join(cacheDir, `edit-colour.${format === 'jpeg' ? 'jpg' : format}`), out);
  return { source, v, out, notes };
}

/** Stored values as libvips reads them, oriented (so the oracle needs none of the app's orientation code). */
async function orientedStored(bytes: Uint8Array): Promise<{ data: Uint8Array | Uint16Array; channels: number }> {
  const meta = await sharp(bytes).metadata();
  const space =
    meta.space === 'cmyk'
      ? 'cmyk'
      : meta.space === 'grey16' || meta.space === 'b-w'
        ? 'grey16'
        : meta.depth === 'ushort'
          ? 'rgb16'
          : 'srgb';
  let pipeline = sharp(bytes, { ignoreIcc: true, autoOrient: true });
  if (space === 'cmyk') pipeline = pipeline.pipelineColourspace('cmyk');
  const wide = space === 'grey16' || space === 'rgb16';
  const { data, info } = await pipeline
    .toColourspace(space)
    .raw({ depth: wide ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const values = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
  return { data: values, channels: info.channels };
}

/** Counts stored values that differ outside the blend region (oracle: sharp reads both files). */
async function differencesOutside(
  source: ImageSource,
  out: Uint8Array,
  mask = roi(source.info.width, source.info.height),
) {
  const frame = computeWorkingFrame(source.info, { shortSide: 256 });
  const blend = compositeMask(mask, frame, 8, 8);
  const a = await orientedStored(source.bytes);
  const b = await orientedStored(out);
  expect(b.channels).toBe(a.channels);
  expect(b.data.constructor).toBe(a.data.constructor);
  let outside = 0;
  let inside = 0;
  for (let i = 0; i < blend.data.length; i++) {
    let same = true;
    for (let c = 0; c < a.channels; c++) same &&= a.data[i * a.channels + c] === b.data[i * a.channels + c];
    if (blend.data[i] === 0 && !same) outside++;
    if (mask.data[i] === 255 && !same) inside++;
  }
  return { outside, inside };
}

async function iccOf(bytes: Uint8Array): Promise<Buffer | undefined> {
  return (await sharp(bytes).metadata()).icc;
}

beforeAll(async () => {
  models = ensureFixtures();
  const { data } = await sharp(join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png'))
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  photo = new Uint8Array(data);
  const probe = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .withExifMerge({
      IFD0: { Make: 'Canon', Model: 'EOS R5' },
      IFD2: { ExposureTime: '1/100' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
    })
    .jpeg()
    .toBuffer();
  exif = new Uint8Array((await sharp(probe).metadata()).exif!.subarray(6));
});

describe('edits keep the file: colour, depth, metadata', () => {
  it.each([
    ['Adobe RGB', 'adobe', 'rgb', 8, false, 'png'],
    ['Display P3', 'p3', 'rgb', 8, true, 'png'],
    ['ProPhoto', 'prophoto', 'rgb', 16, false, 'tiff'],
    ['ProPhoto', 'prophoto', 'rgb', 16, true, 'png'],
    ['gray gamma 2.2', 'gray', 'gray', 8, false, 'png'],
    ['gray gamma 2.2', 'gray', 'gray', 16, false, 'tiff'],
    ['no profile (sRGB)', 'none', 'rgb', 8, false, 'tiff'],
    ['Display P3, lossless', 'p3', 'rgb', 8, true, 'webp'],
  ] as const)(
    '%s [%s]: %s, %i-bit, alpha %s, as %s: identical outside, profile and metadata kept',
    async (_, name, space, depth, alpha, format) => {
      const icc = {
        adobe: adobeRgb,
        p3: await builtinProfile('p3'),
        prophoto: proPhoto,
        gray: grayGamma22,
        none: null,
      }[name];
      const bytes = await sourceFile(storedFrom(space, depth, alpha), icc, format);
      const { source, v, out, notes } = await editAndExport(bytes, format);
      expect(notes).toEqual([]);
      const { outside, inside } = await differencesOutside(source, out);
      expect(outside).toBe(0);
      expect(inside).toBeGreaterThan(1000);
      const meta = await sharp(out).metadata();
      expect(meta.depth).toBe(depth === 16 ? 'ushort' : 'uchar');
      expect(meta.format).toBe(format);
      if (icc) expect(Buffer.from(meta.icc!).equals(Buffer.from(icc))).toBe(true);
      else expect(meta.icc).toBeUndefined();
      expect(new TextDecoder().decode(meta.xmp)).toContain('Ann Example');
      expect(new TextDecoder().decode(meta.xmp ?? new Uint8Array())).toContain('iir-studio-recipe');
      expect(v.recipe.colour).toMatchObject({
        space,
        depth,
        profile: icc ? parseIccProfile(icc).description : 'sRGB (assumed)',
      });
      if (hasExiftool) {
        const path = join(cacheDir, `edit-colour-${name}-${depth}.${format}`);
        writeFileSync(path, out);
        const tags = exiftool(path, ['-Make', '-ExposureTime', '-Keywords']);
        expect(tags).toMatchObject({
          Make: 'Canon',
          ExposureTime: '1/100',
          ...(format === 'webp' ? {} : { Keywords: 'cup' }),
        });
      }
    },
  );

  it('scales the 8-bit model output smoothly into 16 bits (not 257-steps) and keeps 16-bit alpha', async () => {
    const image = storedFrom('rgb', 16, true);
    const { out, source } = await editAndExport(await sourceFile(image, proPhoto, 'png'), 'png');
    const a = await orientedStored(source.bytes);
    const b = await orientedStored(out);
    const mask = roi();
    let inside = 0;
    let offGrid = 0;
    for (let i = 0; i < mask.data.length; i++) {
      expect(b.data[i * 4 + 3]).toBe(a.data[i * 4 + 3]);
      if (mask.data[i] !== 255) continue;
      inside++;
      if (b.data[i * 4]! % 257 !== 0) offGrid++;
    }
    expect(offGrid / inside).toBeGreaterThan(0.9);
  });

  it('keeps a CMYK JPEG as CMYK in TIFF, and says so where PNG cannot hold it', async () => {
    const cmyk = new Uint8Array(
      await sharp(photo, { raw: { width, height, channels: 3 } })
        .withIccProfile('cmyk')
        .jpeg({ quality: 95 })
        .toBuffer(),
    );
    const tiff = await editAndExport(cmyk, 'tiff');
    expect((await sharp(tiff.out).metadata()).space).toBe('cmyk');
    expect(Buffer.from((await iccOf(tiff.out))!).equals(Buffer.from((await iccOf(cmyk))!))).toBe(true);
    expect((await differencesOutside(tiff.source, tiff.out)).outside).toBe(0);
    const png = await editAndExport(cmyk, 'png');
    expect(png.notes).toContain('PNG cannot hold CMYK: the image is converted to sRGB and its CMYK profile dropped');
  });

  it('stores pixels as the source stored them and keeps its EXIF orientation', async () => {
    const stored = await sharp(photo, { raw: { width, height, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const mask = roi(height, width);
    const { source, out } = await editAndExport(new Uint8Array(stored), 'png', { mask });
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([width, height, 6]);
    expect((await differencesOutside(source, out, mask)).outside).toBe(0);
  });

  it('writes JPEG and WebP with the profile, EXIF, XMP and IPTC; "Remove location" drops GPS only', async () => {
    const bytes = await sourceFile(storedFrom('rgb', 8, false), adobeRgb, 'jpeg');
    for (const format of ['jpeg', 'webp'] as const) {
      const kept = await editAndExport(bytes, format);
      if (format === 'webp') expect(kept.notes).toContain(webpIptcNote);
      const meta = await sharp(kept.out).metadata();
      expect(Buffer.from(meta.icc!).equals(Buffer.from(adobeRgb))).toBe(true);
      expect(readTiffTree(exifTiffBytes(meta.exif!))?.ifd0.some((e) => e.tag === 0x8825)).toBe(true);
    }
    const removed = await editAndExport(bytes, 'jpeg', { removeLocation: true });
    const meta = await sharp(removed.out).metadata();
    expect(readTiffTree(exifTiffBytes(meta.exif!))?.ifd0.some((e) => e.tag === 0x8825)).toBe(false);
    expect(new TextDecoder().decode(meta.xmp)).not.toContain('GPSLatitude');
    expect(new TextDecoder().decode(meta.xmp)).toContain('Ann Example');
    expect((await readRecipe(removed.out)).output).toEqual({
      format: 'jpeg',
      removeLocation: true,
      notes: [keptJpegNote],
    });
    if (hasExiftool) {
      const path = join(cacheDir, 'edit-colour-nogps.jpg');
      writeFileSync(path, removed.out);
      const tags = exiftool(path, ['-GPS:all', '-Make', '-Keywords']);
      expect(tags).toMatchObject({ Make: 'Canon', Keywords: 'cup' });
      expect(Object.keys(tags).filter((k) => k.startsWith('GPS'))).toEqual([]);
    }
  });
});
