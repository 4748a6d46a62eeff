import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectService, autosavePath } from '../../../main/projects/projectService';
import { ImageStore } from '../../../main/services/images';
import type { ProjectManifest } from '../../../shared/api';

const photoPath = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'coffee.png');

function manifestFor(width: number, height: number): Omit<ProjectManifest, 'savedAt'> {
  return {
    schemaVersion: 1,
    app: 'IIR Studio',
    original: { name: 'coffee.png', width, height },
    base: 'r1',
    images: [{ key: 'r1', recipe: null }],
    results: [{ key: 'r1', generation: 1 }],
    history: {
      entries: [
        { time: 1, base: 'original', step: { kind: 'open', name: 'coffee.png' } },
        { time: 2, base: 'r1', step: { kind: 'keep', result: 'r1', previous: 'original', recipe: null } },
      ],
      cursor: 1,
    },
  };
}

describe('the project service', () => {
  it('autosaves, recovers and forgets a document; a download opens with the same pixels', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'iir-projects-'));
    const images = new ImageStore();
    const service = new ProjectService(images, userData);
    expect(await service.recover()).toBeNull();

    const original = await images.open({ path: photoPath });
    const { rgb } = images.rgb(original.id);
    const edited = { ...rgb, data: rgb.data.map((v, i) => (i % 3 === 0 ? 255 - v : v)) };
    const result = images.addRgb('result', edited);
    const mask = { width: rgb.width, height: rgb.height, data: new Uint8Array(rgb.width * rgb.height).fill(7) };
    const request = {
      originalId: original.id,
      images: [{ key: 'r1', id: result.id }],
      masks: { roi: mask, protect: { ...mask, data: new Uint8Array(mask.data.length) } },
      manifest: manifestFor(rgb.width, rgb.height),
    };

    const saved = await service.save({ ...request, destination: 'autosave' });
    expect(saved.bytes).toBeNull();
    expect(existsSync(autosavePath(userData))).toBe(true);
    const recovered = (await service.recover())!;
    expect(recovered.manifest.savedAt).toBe(saved.savedAt);
    expect(Buffer.from(images.rgb(recovered.images[0]!.info.id).rgb.data).equals(Buffer.from(edited.data))).toBe(true);
    expect(recovered.images[0]!.info.kind).toBe('result');
    expect(Buffer.from(await images.encoded(recovered.original.id)).equals(readFileSync(photoPath))).toBe(true);
    expect(Array.from(recovered.masks.roi.data.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(await service.discardAutosave()).toBe(true);
    expect(await service.recover()).toBeNull();

    const download = await service.save({ ...request, destination: 'download' });
    const opened = await service.open(download.bytes!);
    expect(opened.manifest.history.cursor).toBe(1);
    expect(existsSync(autosavePath(userData))).toBe(false);
  });
});
