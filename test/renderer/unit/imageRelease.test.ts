import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, ImageId, ImageInfo, JobResult } from '../../../shared/api';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useRoiStore } from '../../../renderer/src/stores/roiStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const released: string[] = [];

beforeAll(() => {
  const ok = (value: unknown): Promise<Envelope<unknown>> => Promise.resolve({ ok: true, value });
  const bridge = {
    images: {
      release: ({ id }: { id: string }) => (released.push(id), ok({ released: true })),
      info: ({ id }: { id: string }) => ok(photo(id)),
    },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

beforeEach(() => {
  setActivePinia(createPinia());
  released.length = 0;
});

function photo(id: string): ImageInfo {
  return { id: id as ImageId, kind: 'original', width: 4, height: 2, hasAlpha: false, name: null, path: null };
}

function editResult(...ids: string[]): Extract<JobResult, { kind: 'edit' }> {
  return { kind: 'edit', resultIds: ids as ImageId[], seeds: ids.map((_, i) => i), provider: 'cpu' };
}

describe('the renderer releases the images it replaces', () => {
  it('opening another photo releases the old original, the bases its history can go back to, and its results', async () => {
    const document = useDocumentStore();
    const history = useHistoryStore();
    const edit = useEditStore();
    document.adopt(photo('img_a'));
    history.start('img_a' as ImageId, 'a');
    edit.absorb(editResult('img_r1', 'img_r2'));
    history.push(
      { kind: 'keep', resultId: 'img_r2' as ImageId, previousBaseId: 'img_a' as ImageId, recipe: null },
      'img_r2' as ImageId,
    );
    document.adopt(photo('img_b'));
    await flushPromises();
    expect([...new Set(released)].sort()).toEqual(['img_a', 'img_r1', 'img_r2']);
  });

  it('deleting a result releases it, unless the document shows it or its history can go back to it', async () => {
    const document = useDocumentStore();
    const history = useHistoryStore();
    const edit = useEditStore();
    document.adopt(photo('img_a'));
    history.start('img_a' as ImageId, 'a');
    edit.absorb(editResult('img_r1', 'img_r2'));
    history.push(
      { kind: 'keep', resultId: 'img_r2' as ImageId, previousBaseId: 'img_a' as ImageId, recipe: null },
      'img_r2' as ImageId,
    );
    edit.remove(1);
    edit.remove(0);
    await flushPromises();
    expect(released).toEqual(['img_r1']);
  });

  it('a segmentation mask is released once the page has read it into its own mask', async () => {
    useRoiStore().absorb({ kind: 'segment', maskId: 'img_mask' as ImageId, instances: [], message: null });
    await flushPromises();
    expect(released).toEqual(['img_mask']);
  });
});
