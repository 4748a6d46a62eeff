/**
 * The Models sheet's int8 line: "Make int8 variant" on an SD1.5 set or ControlNet without one, its progress and Stop
 * while it is made, the reason when it failed, and on a variant the note that its quality has not been judged yet.
 */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ModelsInstalled from '../../../renderer/src/components/models/ModelsInstalled.vue';
import type { ModelProgress } from '../../../shared/api';

const entry = (id: string, role: string, int8Of?: string) => ({
  id,
  role,
  path: `/m/${id}`,
  bytes: 1,
  linked: false,
  verification: 'unverified' as const,
  ...(int8Of ? { int8Of } : {}),
});

const progress = (fields: Partial<ModelProgress>): ModelProgress => ({
  modelId: 'sd15-fp32-int8',
  state: 'quantizing',
  file: 'unet/model.onnx',
  bytesDone: 250,
  bytesTotal: 1000,
  bytesPerSecond: 0,
  etaSeconds: null,
  message: null,
  ...fields,
});

function view(models: ReturnType<typeof entry>[], events: Record<string, ModelProgress> = {}) {
  return mount(ModelsInstalled, { props: { models, health: {}, problems: {}, diskBytes: {}, progress: events } });
}

describe('ModelsInstalled: int8 variants', () => {
  it('offers the action on SD1.5 sets and ControlNets only, and emits it', async () => {
    const v = view([entry('sd15-fp32', 'sd15'), entry('controlnet-iir', 'controlnet-iir'), entry('sam', 'sam')]);
    expect(v.find('[data-testid="int8-sam"]').exists()).toBe(false);
    const line = v.get('[data-testid="int8-sd15-fp32"]');
    expect(line.text()).toContain('its quality has not been judged yet');
    await line.get('button').trigger('click');
    expect(v.emitted('quantize')).toEqual([['sd15-fp32']]);
    expect(v.find('[data-testid="int8-controlnet-iir"]').exists()).toBe(true);
  });

  it('shows the progress with Stop while the variant is made, and why it failed', async () => {
    const running = view([entry('sd15-fp32', 'sd15')], { 'sd15-fp32-int8': progress({}) });
    const line = running.get('[data-testid="int8-sd15-fp32"]');
    expect(line.text()).toContain('Making sd15-fp32-int8… 25%');
    await line.get('button').trigger('click');
    expect(running.emitted('cancel')).toEqual([['sd15-fp32-int8']]);
    const failed = view([entry('sd15-fp32', 'sd15')], {
      'sd15-fp32-int8': progress({ state: 'failed', message: 'not enough free space in /m for sd15-fp32-int8' }),
    });
    expect(failed.get('[role="alert"]').text()).toBe('not enough free space in /m for sd15-fp32-int8');
  });

  it('labels a variant and offers no second one', () => {
    const v = view([entry('sd15-fp32', 'sd15'), entry('sd15-fp32-int8', 'sd15', 'sd15-fp32')]);
    expect(v.get('[data-testid="int8-note-sd15-fp32-int8"]').text()).toMatch(
      /^int8 variant of sd15-fp32: .* Its picture quality has not been judged yet\.$/,
    );
    expect(v.find('[data-testid="int8-sd15-fp32"]').exists()).toBe(false);
    expect(v.find('[data-testid="int8-sd15-fp32-int8"]').exists()).toBe(false);
  });
});
