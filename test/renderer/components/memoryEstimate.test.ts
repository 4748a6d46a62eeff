/**
 * The expected peak before Generate: the Devices panel and the Generate panel show main's plan, say in one sentence
 * (with both figures) when low-memory settings were picked automatically, and let the user force them on; the
 * editor asks main for the plan, warming the models, when a document opens and when its models or size change.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick } from 'vue';
import type { EditPlan, ImageId } from '../../../shared/api';
import GeneratePanel from '../../../renderer/src/components/GeneratePanel.vue';
import ModelsDevices from '../../../renderer/src/components/models/ModelsDevices.vue';
import { useEditPlan } from '../../../renderer/src/composables/useEditPlan';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { useEditPlanStore } from '../../../renderer/src/stores/editPlanStore';
import { useEditStore } from '../../../renderer/src/stores/editStore';
import { useModelsStore } from '../../../renderer/src/stores/modelsStore';
import { type FakeBridge, installFakeBridge } from '../helpers/fakeBridge';

const GiB = 2 ** 30;
const plan = (fields: Partial<EditPlan> = {}): EditPlan => ({
  width: 768,
  height: 512,
  device: 'cpu',
  expectedPeak: 4.2 * GiB,
  defaultPeak: 7.4 * GiB,
  budget: 8 * GiB,
  totalMemory: 16 * GiB,
  availableMemory: 11 * GiB,
  lowMemory: 'off',
  stageByStage: false,
  warming: true,
  ...fields,
});
const devicesProps = { devices: null, provider: 'auto', providerPerRole: {}, error: null, lowMemory: false } as const;

describe('the Devices panel', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows the expected peak for the working size and device, with the machine’s memory', () => {
    const panel = mount(ModelsDevices, { props: { ...devicesProps, plan: plan() } });
    expect(panel.get('[data-testid="memory-peak"]').text()).toBe(
      'Expected peak memory 4.2 GiB (768 × 512, cpu) · this machine 16.0 GiB, 11.0 GiB free for edits',
    );
    expect(panel.find('[data-testid="memory-low"]').exists()).toBe(false);
  });

  it('says in one sentence, with both figures, that low-memory settings were picked for this machine', () => {
    const short = plan({ lowMemory: 'auto', stageByStage: true, availableMemory: 5 * GiB, expectedPeak: 3.1 * GiB });
    const panel = mount(ModelsDevices, { props: { ...devicesProps, plan: short } });
    expect(panel.get('[data-testid="memory-low"]').text()).toBe(
      'Low-memory settings are on: this machine can give an edit 5.0 GiB now, less than the 7.4 GiB the default settings need.',
    );
  });

  it('lets the user force low-memory mode on, and warns when even the plan does not fit', async () => {
    const tight = plan({ lowMemory: 'auto', availableMemory: 2 * GiB, expectedPeak: 3.1 * GiB });
    const panel = mount(ModelsDevices, { props: { ...devicesProps, plan: tight } });
    expect(panel.get('[data-testid="memory-short"]').text()).toMatch(/more than the 2\.0 GiB free now/);
    await panel.get('[data-testid="low-memory"]').setValue(true);
    expect(panel.emitted('lowMemory')).toEqual([[true]]);
  });

  it('without a document it says what it will show', () => {
    const panel = mount(ModelsDevices, { props: { ...devicesProps, plan: null } });
    expect(panel.find('[data-testid="memory-estimate"]').exists()).toBe(false);
    expect(panel.text()).toContain('Open a photo to see the memory its edit will need.');
  });
});

describe('the Generate panel', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows the plan main made for the document, before Generate', async () => {
    installFakeBridge({});
    const panel = mount(GeneratePanel);
    expect(panel.find('[data-testid="memory-estimate"]').exists()).toBe(false);
    useEditPlanStore().plan = plan({ lowMemory: 'chosen' });
    await nextTick();
    expect(panel.get('[data-testid="memory-peak"]').text()).toBe('Expected peak memory 4.2 GiB (768 × 512, cpu)');
    expect(panel.get('[data-testid="memory-low"]').text()).toContain('Low-memory mode is on');
  });
});

describe('useEditPlan', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
    bridge = installFakeBridge({ edit: ['plan'], settings: ['get'] });
    bridge.answer = (channel) => ({ ok: true, value: channel === 'edit:plan' ? plan() : {} });
  });
  afterEach(() => vi.useRealTimers());

  it('asks for the plan, warming, when a document opens and again when its working size changes', async () => {
    const models = useModelsStore();
    models.isLoaded = true;
    models.installed = [
      { id: 'sd15-fp16', role: 'sd15' },
      { id: 'controlnet-canny', role: 'controlnet-canny' },
    ] as never;
    const scope = effectScope();
    scope.run(() => useEditPlan());
    expect(bridge.sent('edit:plan')).toEqual([]);
    const info = {
      id: 'img_1' as ImageId,
      kind: 'original',
      width: 8,
      height: 6,
      hasAlpha: false,
      name: 'a.png',
      path: null,
    };
    useDocumentStore().adopt(info as never);
    await nextTick();
    await vi.advanceTimersByTimeAsync(300);
    expect(bridge.sent('edit:plan')).toEqual([
      {
        imageId: 'img_1',
        sd: 'sd15-fp16',
        controlnet: 'controlnet-canny',
        provider: 'auto',
        warm: true,
        size: 512,
        guidance: 7.5,
      },
    ]);
    // a slider dragged through several sizes asks once, for the last one
    useEditStore().workingSize = 640;
    await nextTick();
    useEditStore().workingSize = 768;
    await nextTick();
    await vi.advanceTimersByTimeAsync(300);
    expect(bridge.sent('edit:plan').map((r) => (r as { size: number }).size)).toEqual([512, 768]);
    await vi.advanceTimersByTimeAsync(0);
    expect(useEditPlanStore().plan?.expectedPeak).toBe(4.2 * GiB);
    scope.stop();
  });
});
