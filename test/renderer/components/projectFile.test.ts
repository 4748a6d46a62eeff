import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageId, ImageInfo, JobId, ProjectOpened } from '../../../shared/api';
import { useDocumentSession } from '../../../renderer/src/composables/useDocumentSession';
import { disposeMaskLayer, useMaskLayer } from '../../../renderer/src/composables/useMaskLayer';
import { useProjectFile } from '../../../renderer/src/composables/useProjectFile';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useHistoryStore } from '../../../renderer/src/stores/historyStore';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';
import { installFakeBridge, settle, type FakeBridge } from '../helpers/fakeBridge';

// .iirproj Save, Open, autosave and recovery over the real session and stores; main's side is a fake bridge that
// records what is sent, and the browser's image loading and downloads are faked.
let bridge: FakeBridge;
let jobCount = 0;
let recovered: ProjectOpened | null = null;
const downloads: string[] = [];

const info = (id: string, name: string | null = null): ImageInfo => ({
  id: id as ImageId,
  kind: name ? 'original' : 'result',
  width: 8,
  height: 4,
  hasAlpha: false,
  name,
  path: name ? `/photos/${name}` : null,
});

type SaveRequest = { destination: string; manifest: ProjectOpened['manifest']; masks: ProjectOpened['masks'] };

function paint(x0: number, x1: number): void {
  useMaskLayer().edit('roi', 'brush', (mask) => {
    for (let y = 0; y < 4; y++) for (let x = x0; x < x1; x++) mask.data[y * 8 + x] = 255;
    return { x0, y0: 0, x1, y1: 4 };
  });
}

const saves = () => bridge.sent('projects:save') as SaveRequest[];

describe('the project file', () => {
  beforeAll(() => {
    bridge = installFakeBridge({
      images: ['open', 'info', 'release'],
      edit: ['start'],
      jobs: ['events', 'cancel'],
      projects: ['save', 'open', 'recover', 'discardAutosave'],
    });
  });
  beforeEach(async () => {
    setActivePinia(createPinia());
    disposeMaskLayer();
    bridge.calls.length = 0;
    downloads.length = 0;
    recovered = null;
    bridge.answer = (channel, request) => {
      if (channel === 'images:open') return { ok: true, value: info('img_a', 'a.png') };
      if (channel === 'images:info') return { ok: true, value: info((request as { id: string }).id) };
      if (channel === 'edit:start') return { ok: true, value: { jobId: `job_${++jobCount}` } };
      if (channel === 'jobs:events') return { ok: true, value: { events: [] } };
      if (channel === 'projects:save') return { ok: true, value: { bytes: new Uint8Array([80, 75]) } };
      if (channel === 'projects:recover') return { ok: true, value: { project: recovered } };
      return { ok: true, value: { removed: true } };
    };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(new Blob([new Uint8Array(1)]))));
    vi.stubGlobal('createImageBitmap', () => Promise.resolve({ width: 8, height: 4, close: () => undefined }));
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:project');
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    useDocumentSession().start();
    await useDocumentSession().open({ path: '/photos/a.png' });
    await settle();
  });
  afterEach(() => {
    useProjectFile().stop();
    useDocumentSession().stop();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('autosaves only unsaved work, once per change, and says when autosave failed', async () => {
    const project = useProjectFile();
    await project.autosave();
    expect(saves()).toEqual([]);
    paint(0, 2);
    await project.autosave();
    expect(saves()).toHaveLength(1);
    expect(saves()[0]).toMatchObject({ destination: 'autosave', originalId: 'img_a' });
    expect(saves()[0]!.manifest.history.entries.map((e) => e.step.kind)).toEqual(['open', 'mask']);
    expect(Array.from(saves()[0]!.masks.roi.data.slice(0, 8))).toEqual([255, 255, 0, 0, 0, 0, 0, 0]);
    await project.autosave();
    expect(saves()).toHaveLength(1);

    bridge.answer = () => ({ ok: false, error: { code: 'io_error', message: 'the disk is full' } });
    paint(4, 6);
    await project.autosave();
    expect(project.message.value).toMatch(/^Autosave failed: .*disk is full/i);
  });

  it('saves a download named after the photo, and opens a project naming the models that are not installed', async () => {
    const project = useProjectFile();
    useModelsStore().installed = [
      { id: 'sd15-fp16', role: 'sd15', path: '/m/sd15', bytes: 1, linked: false, verification: 'verified' },
    ];
    paint(0, 2);
    useEditStore().prompt = 'a green cup';
    useDocumentSession().generate();
    await settle();
    const result = { kind: 'edit', resultIds: ['img_r1'], seeds: [5], provider: 'cpu' };
    bridge.emit('jobs:event', { jobId: `job_${jobCount}` as JobId, kind: 'edit', type: 'completed', result });
    await settle();
    expect(await project.save()).toBe(true);
    expect(downloads).toEqual(['a.iirproj']);
    expect(useHistoryStore().isDirty).toBe(false);
    const saved = saves().at(-1)!;
    expect(saved.destination).toBe('download');
    // IPC copies a request as it is sent: keep the mask bytes that were sent, not the live layer's.
    const copy = (mask: ProjectOpened['masks']['roi']) => ({ ...mask, data: mask.data.slice() });
    const masks = { roi: copy(saved.masks.roi), protect: copy(saved.masks.protect) };

    useModelsStore().installed = [];
    paint(4, 8); // unsaved again, then the user answers the question below
    const opened: ProjectOpened = {
      original: info('img_a2', 'a.png'),
      manifest: saved.manifest,
      images: [{ key: 'r1', info: info('img_r1b') }],
      masks,
    };
    bridge.answer = (channel) =>
      channel === 'projects:open' ? { ok: true, value: opened } : { ok: true, value: info('img_x') };
    useHistoryStore().markSaved();
    await project.open(new File([new Uint8Array([80, 75])], 'a.iirproj'));
    await settle();
    expect(project.message.value).toMatch(/uses sd15-fp16, which is not installed/);
    expect(useDocumentStore().original?.id).toBe('img_a2');
    expect(useEditStore().results.map((r) => r.id)).toEqual(['img_r1b']);
    expect(useMaskStore().areaPx).toBe(8);
    expect(useHistoryStore().entries.map((e) => e.step.kind)).toEqual(['open', 'mask', 'generate']);
    expect(useHistoryStore().isDirty).toBe(false);
  });

  it('offers what a crashed session left: Discard forgets it, Recover shows it and autosaves it again', async () => {
    paint(0, 3);
    await useProjectFile().autosave();
    const left = saves()[0]!;
    recovered = { original: info('img_old', 'old.png'), manifest: left.manifest, images: [], masks: left.masks };
    setActivePinia(createPinia());
    disposeMaskLayer();
    const project = useProjectFile();
    await project.start();
    expect(project.recoverable.value?.original.id).toBe('img_old');
    await project.settleRecovery('discard');
    expect(bridge.sent('projects:discardAutosave')).toHaveLength(1);
    expect(project.recoverable.value).toBeNull();
    expect(useDocumentStore().original).toBeNull();

    project.stop();
    await project.start();
    await project.settleRecovery('recover');
    await settle();
    expect(useDocumentStore().original?.id).toBe('img_old');
    expect(useMaskStore().areaPx).toBe(12);
    expect(bridge.sent('projects:discardAutosave')).toHaveLength(2);
  });
});
