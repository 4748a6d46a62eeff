import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import PanelSection from '../../../renderer/src/components/PanelSection.vue';
import SliderField from '../../../renderer/src/components/SliderField.vue';
import ToolRail from '../../../renderer/src/components/ToolRail.vue';
import { disposeSections } from '../../../renderer/src/look/sections';
import { useMaskStore } from '../../../renderer/src/stores/maskStore';

function section(id: string) {
  return mount(PanelSection, {
    props: { id, title: 'Region' },
    slots: { lead: '<p data-testid="lead">lead</p>', default: '<p>body</p>', tail: '<p data-testid="tail">t</p>' },
  });
}

describe('tool rail', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows an inline SVG icon per tool and a tooltip naming the tool and its key', async () => {
    const wrapper = mount(ToolRail);
    const brush = wrapper.get('[data-testid=tool-brush]');
    expect(brush.find('svg[data-icon=brush] path').attributes('d')).toMatch(/^M/);
    expect(brush.text()).not.toContain('✎');
    expect(wrapper.get('[data-testid=tooltip-brush]').text()).toBe('Brush: paint the region B');
    expect(wrapper.get('[data-testid=tooltip-protect]').get('kbd').text()).toBe('P');
    expect(brush.attributes('aria-label')).toBe('Brush: paint the region (B)');
    const icons = wrapper.findAll('.tool svg').map((svg) => svg.get('path').attributes('d'));
    expect(icons).toHaveLength(8);
    expect(new Set(icons).size).toBe(8);

    await wrapper.get('[data-testid=tool-lasso]').trigger('click');
    expect(useMaskStore().tool).toBe('lasso');
    expect(wrapper.get('[data-testid=tool-lasso]').attributes('aria-pressed')).toBe('true');
    expect(wrapper.get('[data-testid=tool-brush]').attributes('aria-pressed')).toBe('false');
  });
});

describe('collapsible sections', () => {
  beforeEach(() => {
    localStorage.clear();
    disposeSections();
  });

  it('collapses from the header, keeps lead and tail, and remembers each section', async () => {
    const region = section('region');
    const body = () => region.get('[data-testid=section-region-body]');
    const header = region.get('[data-testid=section-region]');
    expect(header.attributes('aria-expanded')).toBe('true');
    expect(body().isVisible()).toBe(true);

    await header.trigger('click');
    expect(header.attributes('aria-expanded')).toBe('false');
    expect(body().attributes('style')).toContain('display: none');
    expect(region.get('[data-testid=lead]').isVisible()).toBe(true);
    expect(region.get('[data-testid=tail]').isVisible()).toBe(true);

    // Another section is not affected; a new start restores each as it was left.
    expect(section('iir').get('[data-testid=section-iir]').attributes('aria-expanded')).toBe('true');
    disposeSections();
    expect(section('region').get('[data-testid=section-region]').attributes('aria-expanded')).toBe('false');
    expect(section('iir').get('[data-testid=section-iir]').attributes('aria-expanded')).toBe('true');

    await section('region').get('[data-testid=section-region]').trigger('click');
    disposeSections();
    expect(section('region').get('[data-testid=section-region]').attributes('aria-expanded')).toBe('true');
  });
});

describe('styled slider', () => {
  it('fills its track up to the value, follows typing and clamps it', async () => {
    const value = ref(0.25);
    const Host = defineComponent(
      () => () =>
        h(SliderField, {
          label: 'noise σ',
          min: 0,
          max: 1,
          step: 0.05,
          testId: 'noise',
          modelValue: value.value,
          'onUpdate:modelValue': (next: number) => (value.value = next),
        }),
    );
    const wrapper = mount(Host);
    const range = wrapper.get('[data-testid=noise]');
    expect((range.element as HTMLElement).style.getPropertyValue('--fill')).toBe('25%');
    const number = wrapper.get('input[type=number]');
    await number.setValue('0.75');
    expect(value.value).toBe(0.75);
    expect((range.element as HTMLElement).style.getPropertyValue('--fill')).toBe('75%');
    await number.setValue('7');
    expect(value.value).toBe(1);
  });
});
