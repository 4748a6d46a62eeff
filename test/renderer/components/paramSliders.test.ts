import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { type NumberParam, editParams, editParamsSchema } from '../../../shared/api';
import GeneratePanel from '../../../renderer/src/components/GeneratePanel.vue';
import IirPanel from '../../../renderer/src/components/IirPanel.vue';
import { useEditStore } from '../../../renderer/src/stores/editStore';

// The editor's controls of the declared edit parameters (shared/api/editParams.ts): each slider's range and step as
// declared, and nothing a slider can reach that the API refuses (the strength-0 drift: the slider reached 0, the
// API took it, the engine failed).

/** Every number parameter the editor offers on a slider. */
const sliderKeys = [
  'noise',
  'cannyLow',
  'cannyHigh',
  'strength',
  'steps',
  'guidance',
  'controlScale',
  'controlStart',
  'controlEnd',
  'variations',
  'dilatePx',
  'featherPx',
] as const;

function accepted(values: Record<string, unknown>): boolean {
  return editParamsSchema.safeParse({ prompt: 'x', ...values }).success;
}

describe('the editor’s parameter controls', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('give each declared parameter its declared slider range and step, all inside what the API accepts', () => {
    const sliders = [...mount(GeneratePanel).findAll('[data-param]'), ...mount(IirPanel).findAll('[data-param]')];
    const found = sliders.map((s) => s.attributes('data-param')).sort();
    expect(found).toEqual([...sliderKeys].sort());
    for (const slider of sliders) {
      const key = slider.attributes('data-param') as (typeof sliderKeys)[number];
      const param: NumberParam = editParams[key];
      const range = slider.get('input[type=range]');
      const min = Number(range.attributes('min'));
      const max = Number(range.attributes('max'));
      expect({ key, min, max, step: Number(range.attributes('step')) }).toEqual({
        key,
        min: param.slider.min ?? param.min,
        max: param.slider.max ?? param.max,
        step: param.slider.step,
      });
      // Companions keep the cross-parameter rules (low ≤ high, start ≤ end) out of the way.
      const companion = { cannyLow: 0, cannyHigh: 2040, controlStart: 0, controlEnd: 1 };
      for (const value of [min, max]) {
        expect(accepted({ ...companion, [key]: value }), `${key} = ${value}`).toBe(true);
      }
      // Both ends are reachable: the range is a whole number of steps.
      const steps = (max - min) / param.slider.step;
      expect(Math.abs(steps - Math.round(steps)), key).toBeLessThan(1e-9);
    }
  });

  it('offer only working sizes and seeds the API accepts', () => {
    const wrapper = mount(GeneratePanel);
    const sizes = wrapper.findAll('#working-size option').map((o) => Number(o.attributes('value')));
    expect(sizes).toEqual([512, 576, 640, 704, 768]);
    for (const size of sizes) expect(accepted({ size }), String(size)).toBe(true);
    const seed = wrapper.get('#seed');
    expect(accepted({ seed: Number(seed.attributes('min')) })).toBe(true);
    expect(accepted({ seed: Number(seed.attributes('max')) })).toBe(true);
    expect(accepted({ seed: Number(seed.attributes('max')) + 1 })).toBe(false);
  });

  it('start from the declared defaults', () => {
    const edit = useEditStore();
    expect({
      steps: edit.steps,
      guidance: edit.guidance,
      controlScale: edit.controlScale,
      controlStart: edit.controlStart,
      controlEnd: edit.controlEnd,
      scheduler: edit.scheduler,
      variations: edit.variations,
      size: edit.workingSize,
      focus: edit.focus,
      dilatePx: edit.blendGrowPx,
      featherPx: edit.blendFeatherPx,
      cannyLow: edit.iir.cannyLow,
      cannyHigh: edit.iir.cannyHigh,
    }).toEqual({
      steps: editParams.steps.default,
      guidance: editParams.guidance.default,
      controlScale: editParams.controlScale.default,
      controlStart: editParams.controlStart.default,
      controlEnd: editParams.controlEnd.default,
      scheduler: editParams.scheduler.default,
      variations: editParams.variations.default,
      size: editParams.size.default,
      focus: editParams.focus.default,
      dilatePx: editParams.dilatePx.default,
      featherPx: editParams.featherPx.default,
      cannyLow: editParams.cannyLow.default,
      cannyHigh: editParams.cannyHigh.default,
    });
    // The strength shown before the user moves it is the engine's own default (null: the engine decides).
    expect(edit.strength).toBeNull();
  });
});
