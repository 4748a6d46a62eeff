import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, ModelProgress } from '../../../shared/api';
import { catalogRows } from '../../../renderer/src/stores/models/catalogRows';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';
import { useSettingsStore } from '../../../renderer/src/stores/settingsStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
let progressListener: ((event: ModelProgress) => void) | null = null;
const installed = [
  { id: 'sd15-fp16', role: 'sd15', path: '/m/sd15-fp16', bytes: 10, linked: false, verification: 'verified' },
  { id: 'lcm', role: 'lcm', path: '/m/lcm', bytes: 10, linked: false, verification: 'unverified' },
  { id: 'controlnet-iir', role: 'controlnet-iir', path: '/m/c', bytes: 5, linked: false, verification: 'verified' },
  { id: 'controlnet-canny', role: 'controlnet-canny', path: '/m/d', bytes: 5, linked: false, verification: 'verified' },
  { id: 'sam', role: 'sam', path: '/m/sam', bytes: 5, linked: false, verification: 'verified' },
];
const answers: Record<string, unknown> = {
  'models:installed': { models: installed },
  'models:catalog': {
    models: [{ id: 'slimsam-77', title: 'SlimSAM', role: 'sam', license: 'apache-2.0', bytes: 1000, installed: false }],
    bundles: [],
  },
  'models:diskUsage': {
    folder: '/m',
    models: [{ id: 'slimsam-77', bytes: 400, partialBytes: 400, installed: false }],
    partialBytes: 400,
    totalBytes: 400,
    freeBytes: null,
  },
  'models:deletePartial': { freedBytes: 400, remaining: 0 },
  'models:verify': { results: [{ id: 'controlnet-iir', ok: false, problems: ['controlnet-iir: missing model.onnx'] }] },
  'devices:providers': { providers: [], auto: 'cpu' },
};

beforeAll(() => {
  const call = (group: string, verb: string) => (request: unknown) => {
    const channel = `${group}:${verb}`;
    calls.push({ channel, request });
    const value =
      channel === 'settings:set' ? { ...useSettingsStore().settings, ...(request as object) } : answers[channel];
    return Promise.resolve({ ok: true, value } as Envelope<unknown>);
  };
  const group = (name: string, verbs: string[]) => Object.fromEntries(verbs.map((verb) => [verb, call(name, verb)]));
  const bridge = {
    models: group('models', ['installed', 'catalog', 'diskUsage', 'deletePartial', 'verify']),
    devices: group('devices', ['providers']),
    settings: group('settings', ['set']),
    on: (_channel: string, listener: (event: ModelProgress) => void) => {
      progressListener = listener;
      return () => undefined;
    },
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

beforeEach(async () => {
  setActivePinia(createPinia());
  calls.length = 0;
  await useModelsStore().load();
});

describe("modelsStore: the document's models", () => {
  it('uses the first installed of each kind (as main does) until the user picks, and remembers the pick', async () => {
    const store = useModelsStore();
    expect(store.choosableRoles).toEqual(['sd15', 'controlnet']);
    expect(store.editModels()).toEqual({ sd: 'sd15-fp16', controlnet: 'controlnet-iir' });
    expect(store.engine).toBe('iir-trained');
    await store.choose('controlnet', 'controlnet-canny');
    await store.choose('sd15', 'lcm');
    expect(store.editModels()).toEqual({ sd: 'lcm', controlnet: 'controlnet-canny' });
    expect(store.engine).toBe('iir-training-free');
    expect(store.controlChannels).toBe(3);
    expect(calls.filter((c) => c.channel === 'settings:set').at(-1)?.request).toEqual({
      modelChoice: { controlnet: 'controlnet-canny', sd15: 'lcm' },
    });
    expect(store.segmentModels()).toEqual({ sam: 'sam' });
  });

  it('a choice that is not installed falls back to the first installed; a document brings its own', () => {
    const store = useModelsStore();
    store.adoptChoice({ sd15: 'gone', controlnet: 'controlnet-canny' });
    expect(store.editModels()).toEqual({ sd: 'sd15-fp16', controlnet: 'controlnet-canny' });
  });
});

describe('modelsStore: downloads and checks', () => {
  it('a paused download keeps its bytes; deleting the partial files frees them and says how much', async () => {
    const store = useModelsStore();
    const paused: ModelProgress = {
      modelId: 'slimsam-77',
      state: 'paused',
      file: null,
      bytesDone: 400,
      bytesTotal: 1000,
      bytesPerSecond: 0,
      etaSeconds: null,
      message: null,
    };
    progressListener!(paused);
    await flushPromises();
    const [row] = catalogRows(store.catalog.models, store.progress, store.disk, store.verify, store.freed);
    expect(row).toMatchObject({ status: 'paused', keptBytes: 400 });
    answers['models:diskUsage'] = { folder: '/m', models: [], partialBytes: 0, totalBytes: 0, freeBytes: null };
    await store.deletePartial('slimsam-77');
    expect(calls.filter((c) => c.channel === 'models:deletePartial')).toEqual([
      { channel: 'models:deletePartial', request: { id: 'slimsam-77' } },
    ]);
    const [after] = catalogRows(store.catalog.models, store.progress, store.disk, store.verify, store.freed);
    expect(after).toMatchObject({ status: 'available', keptBytes: 0, freedBytes: 400 });
  });

  it('a model that failed its check is "failed", never verified', async () => {
    const store = useModelsStore();
    expect(store.health('controlnet-iir')).toBe('unchecked');
    await store.verifyAll();
    expect(store.health('controlnet-iir')).toBe('failed');
    const catalog = [
      { id: 'controlnet-iir', title: 'C', role: 'controlnet-iir', license: 'x', bytes: 5, installed: true },
    ];
    expect(catalogRows(catalog, {}, null, store.verify, {})[0]).toMatchObject({
      status: 'failed',
      problem: 'controlnet-iir: missing model.onnx',
    });
  });
});
