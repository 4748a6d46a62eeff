/**
 * A project keeps its edits in the source's own terms: an edit made with the fixture models, kept, saved as a
 * `.iirproj` and opened again in a fresh store exports as it did before saving: the source's profile byte for
 * byte, its 16 bits, its stored values outside the region, and a JPEG's untouched blocks coefficient for coefficient.
 * A schema 1 project (every image an sRGB PNG) still opens.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEdit } from '../../../main/engine/pipeline';
import { openImage } from '../../../main/image/decode';
import { encodeStored } from '../../../main/image/exportStored';
import type { ExportFormat } from '../../../main/image/exportStored';
import { readJpeg } from '../../../main/image/jpeg';
import { packProject } from '../../../main/projects/projectFile';
import { ProjectService } from '../../../main/projects/projectService';
import { storeResults } from '../../../main/services/editResults';
import { ImageStore } from '../../../main/services/images';
import type { ImageId, ImageInfo, ProjectManifest } from '../../../shared/api';
import { createMask, type Mask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { displayP3Jpeg } from '../../helpers/photoFiles';
import { cacheDir } from '../../setup/global';
import { pattern, proPhoto } from '../../unit/image/profiles';

const python = '/usr/bin/python3';
let models: string;
beforeAll(() => {
  models = ensureFixtures();
});

function roi(width: number, height: number): Mask {
  const mask = createMask(width, height);
  for (let y = Math.floor(height * 0.3); y < Math.floor(height * 0.6); y++) {
    mask.data.fill(255, y * width + Math.floor(width * 0.3), y * width + Math.floor(width * 0.6));
  }
  return mask;
}

function manifestFor(name: string, width: number, height: number): Omit<ProjectManifest, 'savedAt'> {
  return {
    schemaVersion: 1, // as an older renderer sends it: main writes its own version
    app: 'IIR Studio',
    original: { name, width, height },
    base: 'r1',
    images: [{ key: 'r1', recipe: null }],
    results: [{ key: 'r1', generation: 1 }],
    history: {
      entries: [
        { time: 1, base: 'original', step: { kind: 'open', name } },
        { time: 2, base: 'r1', step: { kind: 'keep', result: 'r1', previous: 'original', recipe: null } },
      ],
      cursor: 1,
    },
  };
}

/**
 * Opens `bytes`, edits it with the fixture models, keeps the result, saves the project and opens it in a fresh
 * store: answers both stores' result ids, the edit's region and the reopened project's manifest.
 */
async function edit(store: ImageStore, source: ImageInfo, bytes: Uint8Array, mask: Mask) {
  const result = await runEdit({
    image: await openImage(bytes, { name: source.name ?? 'photo' }),
    mask,
    modelsDir: models,
    options: { prompt: 'a green cat', steps: 2, size: 256, provider: 'cpu', sd: 'sd15', controlnet: 'controlnet-iir' },
    hashCachePath: join(cacheDir, 'engine-hashes.json'),
  });
  return {
    id: storeResults(store, { results: result.variations }, source, bytes)[0]!,
    region: result.variations[0]!.stored.region,
  };
}

async function editSaveReopen(bytes: Uint8Array, name: string) {
  const store = new ImageStore();
  const original = await store.open({ bytes, name });
  const mask = roi(original.width, original.height);
  const { id: kept, region } = await edit(store, original, bytes, mask);
  const empty = { ...mask, data: new Uint8Array(mask.data.length) };
  const saved = await new ProjectService(store, mkdtempSync(join(tmpdir(), 'iir-fid-'))).save({
    destination: 'download',
    originalId: original.id,
    images: [{ key: 'r1', id: kept }],
    masks: { roi: mask, protect: empty },
    manifest: manifestFor(name, original.width, original.height),
  });
  const fresh = new ImageStore();
  const opened = await new ProjectService(fresh, mkdtempSync(join(tmpdir(), 'iir-fid-'))).open(saved.bytes!);
  const reopened = opened.images[0]!.info.id;
  return { store, kept, fresh, reopened, region, manifest: opened.manifest, saved: saved.bytes! };
}

async function exported(store: ImageStore, id: ImageId, format: ExportFormat) {
  return store.encodeForExport(id, { format, metadata: true });
}

/** 16-bit stored values as libvips reads them, without colour conversion. */
async function rgb16(bytes: Uint8Array): Promise<Uint16Array> {
  const data = await sharp(bytes, { ignoreIcc: true }).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
  return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
}

describe('an edit saved in a project and opened again', () => {
  it('exports a 16-bit ProPhoto PNG with its profile, its depth and its values outside the region', async () => {
    const [width, height] = [96, 64];
    const image = {
      ...({ width, height, channels: 3, colourChannels: 3, hasAlpha: false, depth: 16, space: 'rgb' } as const),
      data: pattern(width, height, 3, 16),
    };
    const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
    const options = { format: 'png', text: {}, removeLocation: false } as const;
    const bytes = (await encodeStored(image, meta, proPhoto, options)).bytes;
    const { store, kept, fresh, reopened, region, manifest } = await editSaveReopen(bytes, 'scan.png');
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.images[0]).toMatchObject({ file: 'images/r1.png', edit: { source: 'original', values: false } });

    const before = await exported(store, kept, 'png');
    const after = await exported(fresh, reopened, 'png');
    const info = await sharp(after.bytes).metadata();
    expect([info.format, info.depth, Buffer.compare(info.icc!, proPhoto)]).toEqual(['png', 'ushort', 0]);
    const [source, out] = [await rgb16(bytes), await rgb16(after.bytes)];
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < region.length; i++) {
      const same = [0, 1, 2].every((c) => source[i * 3 + c] === out[i * 3 + c]);
      if (region[i] === 0) outside += same ? 0 : 1;
      else inside += same ? 0 : 1;
    }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(0); // the edit itself came back, not the source
    // Every value, inside too, is the one the export wrote before saving.
    expect(Buffer.compare(Buffer.from(out.buffer), Buffer.from((await rgb16(before.bytes)).buffer))).toBe(0);
    // A later edit starts from the same file as before saving.
    expect(Buffer.compare(await fresh.encoded(reopened), await store.encoded(kept))).toBe(0);
  });

  it('exports a JPEG with the untouched blocks of its source, coefficient for coefficient', async () => {
    const bytes = new Uint8Array(await displayP3Jpeg());
    const { store, kept, fresh, reopened, manifest, saved } = await editSaveReopen(bytes, 'photo.jpg');
    expect(manifest.images[0]).toMatchObject({ file: 'images/r1.jpg', edit: { source: 'original', values: true } });
    if (existsSync(python)) {
      const path = join(mkdtempSync(join(tmpdir(), 'iir-fid-')), 'photo.iirproj');
      writeFileSync(path, saved);
      const script =
        'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(sorted(z.namelist()))';
      const listed = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
      expect(listed.stdout.trim()).toBe(
        "['edits/r1.region.png', 'edits/r1.values.png', 'images/r1.jpg', 'masks/protect.png', 'masks/roi.png', 'original/photo.jpg', 'project.json']",
      );
    }
    const before = await exported(store, kept, 'jpeg');
    const after = await exported(fresh, reopened, 'jpeg');
    expect(after.notes[0]).toMatch(/^JPEG: \d+ of 950 blocks re-encoded/);
    expect(after.notes[0]).toBe(before.notes[0]);
    expect(Buffer.compare((await sharp(after.bytes).metadata()).icc!, (await sharp(bytes).metadata()).icc!)).toBe(0);
    const [a, b, c] = [readJpeg(bytes), readJpeg(after.bytes), readJpeg(before.bytes)];
    const reencoded = Number(/^JPEG: (\d+) of/.exec(after.notes[0]!)![1]);
    const changedMcus = new Set<number>();
    for (const [index, component] of a.components.entries()) {
      const [other, first] = [b.components[index]!, c.components[index]!];
      // Coefficients equal those written before saving everywhere (the touched blocks are re-encoded alike).
      expect(other.coefs).toEqual(first.coefs);
      for (let block = 0; block < component.blocksW * component.blocksH; block++) {
        const same = component.coefs
          .subarray(block * 64, block * 64 + 64)
          .every((v, k) => v === other.coefs[block * 64 + k]);
        if (same) continue;
        const [bx, by] = [block % component.blocksW, Math.floor(block / component.blocksW)];
        changedMcus.add(Math.floor(by / component.v) * 1000 + Math.floor(bx / component.h));
      }
    }
    expect(changedMcus.size).toBeGreaterThan(0);
    expect(changedMcus.size).toBeLessThanOrEqual(reencoded); // every other MCU is the source's own
  });

  it("rebuilds an edit of a kept edit from that kept edit's saved file, opening the source first", async () => {
    const [width, height] = [96, 64];
    const image = {
      ...({ width, height, channels: 3, colourChannels: 3, hasAlpha: false, depth: 16, space: 'rgb' } as const),
      data: pattern(width, height, 3, 16),
    };
    const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
    const options = { format: 'tiff', text: {}, removeLocation: false } as const;
    const bytes = (await encodeStored(image, meta, proPhoto, options)).bytes;
    const store = new ImageStore();
    const original = await store.open({ bytes, name: 'scan.tif' });
    const mask = roi(width, height);
    const first = await edit(store, original, bytes, mask);
    const second = await edit(store, store.info(first.id), await store.encoded(first.id), mask);
    const manifest = manifestFor('scan.tif', width, height);
    const saved = await new ProjectService(store, mkdtempSync(join(tmpdir(), 'iir-fid-'))).save({
      destination: 'download',
      originalId: original.id,
      // The later edit first: opening must still rebuild r1 before r2.
      images: [
        { key: 'r2', id: second.id },
        { key: 'r1', id: first.id },
      ],
      masks: { roi: mask, protect: mask },
      manifest: { ...manifest, images: [{ key: 'r2', recipe: null }, ...manifest.images] },
    });
    const fresh = new ImageStore();
    const opened = await new ProjectService(fresh, mkdtempSync(join(tmpdir(), 'iir-fid-'))).open(saved.bytes!);
    expect(opened.manifest.images[0]).toMatchObject({ key: 'r2', file: 'images/r2.tif', edit: { source: 'r1' } });
    const [r2, r1] = [opened.images[0]!.info.id, opened.images[1]!.info.id];
    expect(fresh.storedEdit(r2)!.sourceId).toBe(r1);
    const before = await exported(store, second.id, 'tiff');
    const after = await exported(fresh, r2, 'tiff');
    expect(
      Buffer.compare(Buffer.from((await rgb16(after.bytes)).buffer), Buffer.from((await rgb16(before.bytes)).buffer)),
    ).toBe(0);
    expect(await fresh.difference(r2, r1)).toMatchObject(
      await store.difference(second.id, first.id).then(({ mapId: _, ...counts }) => counts),
    );
  });

  it('opens a schema 1 project, whose results are sRGB PNGs, as results without a stored edit', async () => {
    const rgb = Buffer.alloc(32 * 24 * 3, 90);
    const png = new Uint8Array(
      await sharp(rgb, { raw: { width: 32, height: 24, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const mask = { width: 32, height: 24, data: new Uint8Array(32 * 24) };
    const bytes = await packProject({
      manifest: { ...manifestFor('flat.png', 32, 24), savedAt: '2026-11-29T04:00:00.000Z' },
      original: png,
      masks: { roi: mask, protect: mask },
      files: new Map([['images/r1.png', png]]),
    });
    const store = new ImageStore();
    const opened = await new ProjectService(store, mkdtempSync(join(tmpdir(), 'iir-fid-'))).open(bytes);
    expect(opened.manifest.schemaVersion).toBe(1);
    const id = opened.images[0]!.info.id;
    expect(Buffer.from(store.rgb(id).rgb.data).equals(rgb)).toBe(true);
    expect(store.storedEdit(id)).toBeNull();
  });
});
