import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageId } from '../../../shared/api';
import type { EditRecipe } from '../../../main/engine/recipe';
import { openImage } from '../../../main/image/decode';
import { encodeStored } from '../../../main/image/exportStored';
import { readJpeg } from '../../../main/image/jpeg';
import type { StoredPixels } from '../../../main/image/stored';
import { notEditedNote } from '../../../main/services/editExports';
import { ImageStore } from '../../../main/services/images';
import { cmykJpeg, displayP3Jpeg } from '../../helpers/photoFiles';
import { pattern, proPhoto } from '../image/profiles';

const recipe = { app: { name: 'IIR Studio', version: 'test' }, prompt: 'test' } as unknown as EditRecipe;

/** An edit result of image `sourceId` whose stored values change inside the box (x0, y0)–(x1, y1). */
async function addEdit(store: ImageStore, sourceId: ImageId, bytes: Uint8Array, box: [number, number, number, number]) {
  const source = await openImage(bytes, { name: 'photo.jpg' });
  const stored: StoredPixels = await source.decodeStored();
  const region = new Uint8Array(stored.width * stored.height);
  const [x0, y0, x1, y1] = box;
  for (let y = y0; y < y1; y++) {
    region.fill(255, y * stored.width + x0, y * stored.width + x1);
    for (let x = x0; x < x1; x++) {
      const at = (y * stored.width + x) * stored.channels;
      stored.data[at] = stored.data[at]! ^ 0x40;
    }
  }
  const rgb = (await source.decode()).rgb;
  return store.addRgb('result', rgb, {
    name: 'photo.jpg',
    edit: { image: stored, region, recipe, sourceId, originalBytes: bytes, originalName: 'photo.jpg' },
  }).id;
}

describe('the export plan and the stored difference of an edit', () => {
  it('says what a JPEG export keeps, and how many MCUs it will re-encode, before writing', async () => {
    const store = new ImageStore();
    const bytes = new Uint8Array(await displayP3Jpeg());
    const original = await store.open({ bytes, name: 'photo.jpg' });
    // 4:2:0: MCUs are 16×16; the box (100, 50)–(140, 70) touches columns 6–8 and rows 3–4.
    const result = await addEdit(store, original.id, bytes, [100, 50, 140, 70]);
    const plan = await store.exportNotes(result, 'jpeg');
    expect(plan.source).toMatchObject({ format: 'jpeg', space: 'rgb', depth: 8, metadata: ['EXIF'] });
    expect(plan.source?.profile).toMatch(/P3/);
    expect(plan.source?.hasLocation).toBe(true);
    expect(plan.jpegBlocks).toEqual({ mcusTotal: 38 * 25, mcusReencoded: 6 });
    expect(plan.notes).toEqual([]); // the counts are shown beside "Keep untouched blocks"; nothing is lost
    const written = await store.encodeForExport(result, { format: 'jpeg', metadata: true });
    expect(written.notes[0]).toMatch(/^JPEG: 6 of 950 blocks re-encoded/);
    const whole = await store.exportNotes(result, 'jpeg', false);
    expect(whole).toMatchObject({ jpegBlocks: null, notes: ['JPEG is lossy: the whole image is re-encoded'] });
    expect(await store.exportNotes(original.id, 'png')).toEqual({
      notes: [notEditedNote],
      source: null,
      jpegBlocks: null,
    });
  });

  it('names the CMYK fallback before writing, and the PNG conversion', async () => {
    const store = new ImageStore();
    const bytes = new Uint8Array(await cmykJpeg());
    const original = await store.open({ bytes, name: 'photo.jpg' });
    const result = await addEdit(store, original.id, bytes, [10, 10, 30, 30]);
    const plan = await store.exportNotes(result, 'jpeg');
    expect(plan.source).toMatchObject({ space: 'cmyk', format: 'jpeg' });
    expect(plan.jpegBlocks).toEqual({
      fallback: 'The JPEG stores CMYK colour, which block-keeping export cannot re-encode.',
    });
    expect(plan.notes).toContain(
      'JPEG is lossy: the whole image is re-encoded (The JPEG stores CMYK colour, which block-keeping export cannot re-encode.)',
    );
    expect((await store.exportNotes(result, 'png')).notes[0]).toMatch(/^PNG cannot hold CMYK/);
    // A later edit starts from a lossless CMYK TIFF with the profile, not from a JPEG re-encoded whole.
    const later = await sharp(await store.encoded(result)).metadata();
    expect([later.format, later.space, Buffer.compare(later.icc!, (await sharp(bytes).metadata()).icc!)]).toEqual([
      'tiff',
      'cmyk',
      0,
    ]);
  });

  it.skipIf(spawnSync('cjpeg', ['-version']).error !== undefined)(
    'names the arithmetic-coding fallback before writing',
    async () => {
      const data = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a6' } })
        .raw()
        .toBuffer();
      const pnm = Buffer.concat([Buffer.from('P6\n64 48\n255\n'), data]);
      const bytes = new Uint8Array(spawnSync('cjpeg', ['-arithmetic'], { input: pnm }).stdout);
      const store = new ImageStore();
      const original = await store.open({ bytes, name: 'arith.jpg' });
      const result = await addEdit(store, original.id, bytes, [0, 0, 8, 8]);
      const plan = await store.exportNotes(result, 'jpeg');
      expect(plan.jpegBlocks).toEqual({
        fallback: 'The JPEG uses arithmetic coding, which block-keeping export does not read.',
      });
      expect(plan.notes[0]).toMatch(/^JPEG is lossy: the whole image is re-encoded \(The JPEG uses arithmetic/);
    },
  );

  it('counts changes in stored values with a heat map, decoding the original once, until it is closed', async () => {
    const store = new ImageStore();
    const bytes = new Uint8Array(await displayP3Jpeg());
    const original = await store.open({ bytes, name: 'photo.jpg' });
    const first = await addEdit(store, original.id, bytes, [100, 50, 140, 70]);
    const second = await addEdit(store, original.id, bytes, [0, 0, 10, 10]);
    const difference = await store.difference(first);
    expect(difference).toMatchObject({ changedPixels: 800, changedOutsideRegion: 0, maxDifference: 64, depth: 8 });
    expect(store.info(difference.mapId)).toMatchObject({ width: 600, height: 400, hasAlpha: true });
    const again = await store.difference(first, original.id);
    expect(again).toMatchObject({ changedPixels: 800 });
    expect(() => store.info(difference.mapId)).toThrow(/no image/); // the previous map is released
    // Against another edit of the same original: both boxes differ, the second one's outside the first's region.
    expect(await store.difference(first, second)).toMatchObject({ changedPixels: 900, changedOutsideRegion: 100 });
    const unrelated = store.addRgb('preview', { width: 600, height: 400, data: new Uint8Array(600 * 400 * 3) }).id;
    await expect(store.difference(first, unrelated)).rejects.toThrow(/stored values with the image it was edited/);
    expect(store.sources.stats()).toMatchObject({ opens: 1, decodes: 1, entries: 1, bytes: 600 * 400 * 3 });
    store.release(original.id);
    expect(store.sources.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('hands a later edit the kept result in the terms of its source, not an sRGB PNG', async () => {
    const store = new ImageStore();
    const bytes = new Uint8Array(await displayP3Jpeg());
    const original = await store.open({ bytes, name: 'photo.jpg' });
    const kept = await addEdit(store, original.id, bytes, [100, 50, 140, 70]);
    const file = await store.encoded(kept);
    expect(await store.encoded(kept)).toBe(file); // made once
    const [before, after] = [await sharp(bytes).metadata(), await sharp(file).metadata()];
    expect([after.format, after.chromaSubsampling]).toEqual(['jpeg', '4:2:0']);
    expect(Buffer.compare(after.icc!, before.icc!)).toBe(0);
    expect(Buffer.compare(after.exif!, before.exif!)).toBe(0);
    // Only the 6 MCUs the first edit touched were re-encoded; the others are the original's, coefficient for coefficient.
    const [a, b] = [readJpeg(bytes).components[0]!, readJpeg(file).components[0]!];
    let changedBlocks = 0;
    for (let block = 0; block < a.blocksW * a.blocksH; block++) {
      const same = a.coefs.subarray(block * 64, block * 64 + 64).every((v, k) => v === b.coefs[block * 64 + k]);
      if (same) continue;
      changedBlocks++;
      const [mx, my] = [((block % a.blocksW) / 2) | 0, ((block / a.blocksW) | 0) >> 1];
      expect(mx >= 6 && mx <= 8 && my >= 3 && my <= 4).toBe(true);
    }
    expect(changedBlocks).toBeGreaterThan(0);
    // A second edit made from that file is compared with the kept result in those stored values.
    const second = await addEdit(store, kept, file, [300, 200, 310, 210]);
    expect(await store.difference(second, kept)).toMatchObject({ changedPixels: 100, changedOutsideRegion: 0 });
  });

  it('hands a later edit of a 16-bit ProPhoto TIFF a 16-bit TIFF with the same profile and exact values', async () => {
    const image: StoredPixels = {
      ...{ width: 64, height: 48, channels: 3, colourChannels: 3, hasAlpha: false, depth: 16, space: 'rgb' },
      data: pattern(64, 48, 3, 16),
    };
    const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
    const options = { format: 'tiff', text: {}, removeLocation: false } as const;
    const bytes = (await encodeStored(image, meta, proPhoto, options)).bytes;
    const store = new ImageStore();
    const original = await store.open({ bytes, name: 'scan.tif' });
    const kept = await addEdit(store, original.id, bytes, [8, 8, 20, 20]);
    const file = await store.encoded(kept);
    const reopened = await openImage(file);
    expect([reopened.info.format, reopened.colour.depth, reopened.colour.profileName]).toEqual([
      'tiff',
      16,
      'ProPhoto RGB compatible (test)',
    ]);
    const values = (await reopened.decodeStored()).data;
    const edited = (await openImage(bytes)).decodeStored();
    const expected = (await edited).data;
    for (let y = 8; y < 20; y++) {
      for (let x = 8; x < 20; x++) expected[(y * 64 + x) * 3] = expected[(y * 64 + x) * 3]! ^ 0x40;
    }
    expect(Buffer.compare(Buffer.from(values.buffer), Buffer.from(expected.buffer))).toBe(0);
  });
});
