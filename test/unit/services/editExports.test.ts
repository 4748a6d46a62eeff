import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageId } from '../../../shared/api';
import type { EditRecipe } from '../../../main/engine/recipe';
import { openImage } from '../../../main/image/decode';
import type { StoredPixels } from '../../../main/image/stored';
import { ImageStore, notEditedNote } from '../../../main/services/images';
import { cmykJpeg, displayP3Jpeg } from '../../helpers/photoFiles';

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
});
