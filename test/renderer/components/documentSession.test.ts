import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope, EventChannel, ImageId, ImageInfo, JobId } from '../../../shared/api';
import { useDocumentSession } from '../../../renderer/src/composables/useDocumentSession';
import { useDiscardPrompt } from '../../../renderer/src/composables/useDiscardPrompt';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';

// A fake of the project's own preload bridge (the renderer's client reads window.iir); the browser's image loading
// (fetch + createImageBitmap, absent from happy-dom) answers a bitmap-shaped object.
const calls: { channel: string; request: unknown }[] = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let jobCount = 0;

const info = (id: string, name: string | null = null): ImageInfo => ({
  id: id as ImageId,
  kind: name ? 'original' : 'result',
  width: 8,
  height: 4,
  hasAlpha: false,
  name,
  path: name ? `/photos/${name}` : null,
});

function emit(channel: EventChannel, payload: unknown): void {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
}

function answer(channel: string, request: unknown): Envelope<unknown> {
  if (channel === 'images:open') {
    const name = (request as { path: string }).path.split('/').at(-1)!;
    return { ok: true, value: info(`img_${name.replace(/\W/g, '')}`, name) };
  }
  if (channel === 'images:info') return { ok: true, value: info((request as { id: string }).id) };
  if (channel === 'edit:start') return { ok: true, value: { jobId: `job_${++jobCount}` } };
  if (channel === 'jobs:events') return { ok: true, value: { events: [] } };
  return { ok: true, value: { wasActive: true } };
}

beforeAll(() => {
  type Handler = (request: unknown) => Promise<Envelope<unknown>>;
  const group = (...channels: string[]): Record<string, Handler> =>
    Object.fromEntries(
      channels.map((channel): [string, Handler] => [
        channel.split(':')[1]!,
        (request: unknown) => {
          calls.push({ channel, request });
          return Promise.resolve(answer(channel, request));
        },
      ]),
    );
  Object.defineProperty(window, 'iir', {
    configurable: true,
    value: {
      images: group('images:open', 'images:info'),
      edit: group('edit:start', 'edit:cancel'),
      jobs: group('jobs:events'),
      on: (channel: string, listener: (payload: unknown) => void) => {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    },
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Generates and completes the job with `count` results. */
async function generateResults(names: string[]): Promise<void> {
  const session = useDocumentSession();
  session.generate();
  await settle();
  const jobId = `job_${jobCount}` as JobId;
  const seeds = names.map((_, i) => 100 + i);
  const result = { kind: 'edit', resultIds: names.map((n) => `img_${n}`), seeds, provider: 'cpu' };
  const event = { jobId, kind: 'edit', type: 'completed', result };
  emit('jobs:event', event);
  await settle();
}

function paint(x0: number, x1: number): void {
  useMaskLayer().edit('roi', 'brush', (mask) => {
    for (let y = 0; y < 4; y++) for (let x = x0; x < x1; x++) mask.data[y * 8 + x] = 255;
    return { x0, y0: 0, x1, y1: 4 };
  });
}

describe('the document session', () => {
  beforeEach(async () => {
    setActivePinia(createPinia());
    disposeMaskLayer();
    calls.length = 0;
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(new Blob([new Uint8Array(1)]))));
    vi.stubGlobal('createImageBitmap', () => Promise.resolve({ width: 8, height: 4, close: () => undefined }));
    useDocumentSession().start();
    await useDocumentSession().open({ path: '/photos/a.png' });
    useEditStore().prompt = 'a green cup';
    await settle();
  });
  afterEach(() => {
    useDocumentSession().stop();
    vi.unstubAllGlobals();
  });

  it('keeps every variation: Retry appends, Keep leaves the strip, clicking the selected one keeps it selected', async () => {
    const edit = useEditStore();
    useModelsStore().installed = [
      { id: 'sd15-fp16', role: 'sd15', path: '/m/sd15-fp16', bytes: 1, linked: false, verification: 'verified' },
      {
        id: 'controlnet-canny',
        role: 'controlnet-canny',
        path: '/m/controlnet-canny',
        bytes: 1,
        linked: false,
        verification: 'verified',
      },
      { id: 'slimsam-77', role: 'sam', path: '/m/slimsam-77', bytes: 1, linked: false, verification: 'verified' },
    ];
    paint(0, 2);
    await generateResults(['r1', 'r2']);
    expect(edit.results.map((r) => [r.id, r.generation])).toEqual([
      ['img_r1', 1],
      ['img_r2', 1],
    ]);
    expect(edit.results[1]!.recipe).toMatchObject({
      prompt: 'a green cup',
      seed: 101,
      provider: 'cpu',
      models: ['sd15-fp16', 'controlnet-canny'],
    });
    await generateResults(['r3', 'r4']);
    expect(edit.results.map((r) => r.id)).toEqual(['img_r1', 'img_r2', 'img_r3', 'img_r4']);
    expect(edit.selected).toBe(2);
    await useDocumentSession().keep();
    expect(edit.results).toHaveLength(4);
    edit.remove(0);
    expect(edit.results.map((r) => r.id)).toEqual(['img_r2', 'img_r3', 'img_r4']);
  });

  it('makes Keep one undoable step of the history mask edits are in: Undo after Keep goes back', async () => {
    const documentStore = useDocumentStore();
    const history = useHistoryStore();
    const maskStore = useMaskStore();
    paint(0, 2);
    await generateResults(['r1']);
    await useDocumentSession().keep();
    expect(documentStore.base?.id).toBe('img_r1');
    expect(history.keptCount).toBe(1);
    paint(4, 6);
    expect(maskStore.areaPx).toBe(16);
    const session = useDocumentSession();
    session.undo();
    expect(maskStore.areaPx).toBe(8);
    session.undo();
    await settle();
    expect(documentStore.base?.id).toBe('img_apng');
    expect(history.keptCount).toBe(0);
    expect(maskStore.areaPx).toBe(8);
    session.undo();
    expect(maskStore.areaPx).toBe(0);
    session.redo();
    session.redo();
    await settle();
    expect(documentStore.base?.id).toBe('img_r1');
    expect(maskStore.areaPx).toBe(8);
    expect(history.entries.map((e) => e.step.kind)).toEqual(['open', 'mask', 'generate', 'keep', 'mask']);
  });

  it('reverts to the state before Keep with the region and its history, and restores any step', async () => {
    const documentStore = useDocumentStore();
    const maskStore = useMaskStore();
    const history = useHistoryStore();
    const session = useDocumentSession();
    paint(0, 3);
    await generateResults(['r1']);
    await session.keep();
    paint(5, 8);
    session.revert();
    await settle();
    expect(documentStore.base?.id).toBe('img_apng');
    expect(maskStore.areaPx).toBe(12);
    expect(history.canUndo).toBe(true);
    session.undo();
    expect(maskStore.areaPx).toBe(0);
    session.restore(history.entries.length - 1);
    await settle();
    expect(documentStore.base?.id).toBe('img_r1');
    expect(maskStore.areaPx).toBe(24);
  });

  it('asks before opening another photo discards unsaved work; Cancel keeps it, Discard opens and clears old errors', async () => {
    const edit = useEditStore();
    const documentStore = useDocumentStore();
    const prompt = useDiscardPrompt();
    paint(0, 2);
    await generateResults(['r1']);
    await useDocumentSession().keep();
    edit.error = 'an old error';
    const cancelled = useDocumentSession().open({ path: '/photos/b.png' });
    await settle();
    expect(prompt.question.value?.text).toMatch(/a\.png has unsaved work \(1 kept edit, 1 result, the region\)/);
    prompt.answer('cancel');
    expect(await cancelled).toBe(false);
    expect(documentStore.name).toBe('a.png');
    expect(edit.results).toHaveLength(1);
    expect(calls.filter((c) => c.channel === 'images:open')).toHaveLength(1);

    const discarded = useDocumentSession().open({ path: '/photos/b.png' });
    await settle();
    prompt.answer('discard');
    expect(await discarded).toBe(true);
    expect(documentStore.name).toBe('b.png');
    expect(edit.results).toEqual([]);
    expect(edit.error).toBeNull();
    expect(useHistoryStore().entries.map((e) => e.step.kind)).toEqual(['open']);
  });

  it('regenerates from a saved recipe with exactly its parameters', async () => {
    const edit = useEditStore();
    paint(0, 2);
    await generateResults(['r1', 'r2']);
    const recipe = edit.results[1]!.recipe;
    expect(recipe.params).toMatchObject({ prompt: 'a green cup', seed: 101, variations: 1 });
    edit.prompt = 'something else';
    edit.steps = 50;
    calls.length = 0;
    useDocumentSession().regenerate(recipe);
    await settle();
    const start = calls.find((c) => c.channel === 'edit:start')!.request as { params: unknown };
    expect(start.params).toMatchObject(recipe.params);
    expect(start.params).toMatchObject({ prompt: 'a green cup', steps: 20, seed: 101 });
  });

  it('offers Save in the question once saving is possible, and opens after the work was saved', async () => {
    const prompt = useDiscardPrompt();
    const saved: string[] = [];
    useDocumentSession().setSaveWork(() => {
      saved.push(useDocumentStore().name);
      return Promise.resolve(true);
    });
    paint(0, 2);
    const opening = useDocumentSession().open({ path: '/photos/c.png' });
    await settle();
    expect(prompt.question.value?.canSave).toBe(true);
    prompt.answer('save');
    expect(await opening).toBe(true);
    expect(saved).toEqual(['a.png']);
    expect(useDocumentStore().name).toBe('c.png');
  });

  it('asks the browser to confirm a reload only while there is unsaved work', () => {
    const unload = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);
    paint(0, 1);
    expect(unload()).toBe(true);
    useHistoryStore().markSaved();
    expect(unload()).toBe(false);
  });
});
