import { describe, expect, it } from 'vitest';
import { type ImageId, type ImageInfo, projectManifestSchema } from '../../../shared/api';
import type { DocumentState } from '../../../renderer/src/editing/projectMapping';
import { fromManifest, missingModels, toManifest } from '../../../renderer/src/editing/projectMapping';
import { type Recipe, undoTarget } from '../../../renderer/src/editing/documentHistory';

const id = (name: string) => `img_${name}` as ImageId;
const info = (name: string, kind: ImageInfo['kind'] = 'result'): ImageInfo => ({
  id: id(name),
  kind,
  width: 8,
  height: 4,
  hasAlpha: false,
  name: kind === 'original' ? 'a.png' : null,
  path: null,
});
const recipe = (seed: number): Recipe => ({
  prompt: 'a green cup',
  noise: 0.2,
  gray: true,
  seed,
  models: ['sd15-fp16', 'controlnet-canny'],
  provider: 'cpu',
  startedAt: 5,
  durationMs: 100,
  params: { prompt: 'a green cup', seed },
});

const state: DocumentState = {
  original: info('orig', 'original'),
  baseId: id('r1'),
  results: [
    { id: id('r1'), generation: 1, recipe: recipe(1) },
    { id: id('r3'), generation: 2, recipe: recipe(3) },
  ],
  history: {
    entries: [
      { id: 1, time: 10, baseId: id('orig'), step: { kind: 'open', name: 'a.png' } },
      { id: 2, time: 11, baseId: id('orig'), step: { kind: 'mask', label: 'brush' } },
      {
        id: 3,
        time: 12,
        baseId: id('orig'),
        step: { kind: 'generate', resultIds: [id('r1'), id('r2')], recipe: recipe(1) },
      },
      {
        id: 4,
        time: 13,
        baseId: id('r1'),
        step: { kind: 'keep', resultId: id('r1'), previousBaseId: id('orig'), recipe: recipe(1) },
      },
    ],
    cursor: 3,
  },
};

describe('a document as a project manifest', () => {
  it('names every image by a key, keeps deleted-but-referenced results, and comes back as it was', () => {
    const { manifest, images } = toManifest(state);
    const valid = projectManifestSchema.parse({ ...manifest, savedAt: 'now' });
    expect(images).toEqual([
      { key: 'r1', id: id('r1') },
      { key: 'r2', id: id('r3') },
      { key: 'r3', id: id('r2') },
    ]);
    expect(valid.base).toBe('r1');
    expect(valid.results).toEqual([
      { key: 'r1', generation: 1 },
      { key: 'r2', generation: 2 },
    ]);
    expect(valid.images.map((image) => [image.key, image.recipe?.seed])).toEqual([
      ['r1', 1],
      ['r2', 3],
      ['r3', 1],
    ]);

    // Main answers new ids for the images it stores again.
    const reopened = (key: string) => ({ key, info: { ...info(`new${key}`) } });
    const back = fromManifest(valid, info('neworig', 'original'), ['r1', 'r2', 'r3'].map(reopened));
    expect(back.baseId).toBe('img_newr1');
    expect(back.results.map((r) => [r.id, r.generation, r.recipe.seed])).toEqual([
      ['img_newr1', 1, 1],
      ['img_newr2', 2, 3],
    ]);
    expect(back.history.cursor).toBe(3);
    // The saved mask holds the mask changes: only the keep can be undone one by one.
    expect(undoTarget(back.history)).toBe(3);
    expect(undoTarget({ ...back.history, cursor: 2 })).toBeNull();
    expect(back.history.entries.map((e) => e.step)).toEqual([
      { kind: 'open', name: 'a.png' },
      { kind: 'mask', label: 'brush', fromFile: true },
      { kind: 'generate', resultIds: ['img_newr1', 'img_newr3'], recipe: recipe(1) },
      { kind: 'keep', resultId: 'img_newr1', previousBaseId: 'img_neworig', recipe: recipe(1) },
    ]);
  });

  it('names the models a project used that are not installed', () => {
    const manifest = projectManifestSchema.parse({ ...toManifest(state).manifest, savedAt: 'now' });
    expect(missingModels(manifest, new Set(['sd15-fp16']))).toEqual(['controlnet-canny']);
    expect(missingModels(manifest, new Set(['sd15-fp16', 'controlnet-canny']))).toEqual([]);
  });

  it("keeps the document's model picks, and names a picked model that is not installed", () => {
    const picked = { ...state, models: { sd15: 'sd15-fp16', sam: 'sam-vit-base' } };
    const saved = toManifest(picked);
    const manifest = projectManifestSchema.parse({ ...saved.manifest, savedAt: 'now' });
    expect(manifest.models).toEqual({ sd15: 'sd15-fp16', sam: 'sam-vit-base' });
    const images = saved.images.map(({ key, id: imageId }) => ({ key, info: { ...state.original, id: imageId } }));
    expect(fromManifest(manifest, state.original, images).models).toEqual({ sd15: 'sd15-fp16', sam: 'sam-vit-base' });
    expect(missingModels(manifest, new Set(['sd15-fp16', 'controlnet-canny']))).toEqual(['sam-vit-base']);
  });
});
