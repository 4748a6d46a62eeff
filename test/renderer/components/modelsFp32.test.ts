/**
 * The Models sheet's fp32 line: "Make fp32 variant (for CPU)" on an fp16 SD1.5 set or ControlNet when the CPU will
 * run it (never on a GPU provider, never on fp32 models), its progress and Stop while it is made, the reason when
 * it failed, and on a variant what it was made from.
 */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ModelsInstalled from '../../../renderer/src/components/models/ModelsInstalled.vue';
import type { ModelProgress } from '../../../shared/api';

const entry = (id: string, role: string, extra: { fp16?: boolean; fp32Of?: string } = {}) => ({
  id,
  role,
  path: `/m/${id}`,
  bytes: 1,
  linked: false,
  verification: 'unverified' as const,
  ...extra,
});

const progress = (fields: Partial<ModelProgress>): ModelProgress => ({
  modelId: 'sd15-fp16-fp32',
  state: 'quantizing',
  file: 'unet/model.onnx',
  bytesDone: 500,
  bytesTotal: 1000,
  bytesPerSecond: 0,
  etaSeconds: null,
  message: null,
  ...fields,
});

function view(models: ReturnType<typeof entry>[], onCpu: boolean, events: Record<string, ModelProgress> = {}) {
  return mount(ModelsInstalled, {
    props: { models, health: {}, problems: {}, diskBytes: {}, progress: events, onCpu },
  });
}

describe('ModelsInstalled: fp32 variants', () => {
  it('offers the action on fp16 models when the CPU runs them, and emits it', async () => {
    const models = [entry('sd15-fp16', 'sd15', { fp16: true }), entry('sd15-fp32', 'sd15')];
    const cpu = view(models, true);
    expect(cpu.find('[data-testid="fp32-sd15-fp32"]').exists()).toBe(false);
    const line = cpu.get('[data-testid="fp32-sd15-fp16"]');
    expect(line.get('button').text()).toBe('Make fp32 variant (for CPU)');
    await line.get('button').trigger('click');
    expect(cpu.emitted('widen')).toEqual([['sd15-fp16']]);
    // on a GPU provider fp16 is the right choice: no offer
    expect(view(models, false).find('[data-testid="fp32-sd15-fp16"]').exists()).toBe(false);
  });

  it('shows the progress with Stop while the variant is made, and why it failed', async () => {
    const models = [entry('sd15-fp16', 'sd15', { fp16: true })];
    const running = view(models, true, { 'sd15-fp16-fp32': progress({}) });
    const line = running.get('[data-testid="fp32-sd15-fp16"]');
    expect(line.text()).toContain('Making sd15-fp16-fp32… 50%');
    await line.get('button').trigger('click');
    expect(running.emitted('cancel')).toEqual([['sd15-fp16-fp32']]);
    const failed = view(models, true, {
      'sd15-fp16-fp32': progress({ state: 'failed', message: 'not enough free space in /m for sd15-fp16-fp32' }),
    });
    expect(failed.get('[data-testid="fp32-sd15-fp16"] [role="alert"]').text()).toBe(
      'not enough free space in /m for sd15-fp16-fp32',
    );
  });

  it('labels a variant and offers no second one', () => {
    const v = view(
      [entry('sd15-fp16', 'sd15', { fp16: true }), entry('sd15-fp16-fp32', 'sd15', { fp32Of: 'sd15-fp16' })],
      true,
    );
    expect(v.get('[data-testid="fp32-note-sd15-fp16-fp32"]').text()).toMatch(/^fp32 variant of sd15-fp16: /);
    expect(v.find('[data-testid="fp32-sd15-fp16"]').exists()).toBe(false);
  });
});
