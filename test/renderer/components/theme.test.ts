import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ThemeSwitch from '../../../renderer/src/components/ThemeSwitch.vue';
import { disposeTheme, resolveTheme, useTheme } from '../../../renderer/src/look/theme';

/** A fake OS colour preference: `matchMedia('(prefers-color-scheme: light)')` with change events. */
function fakeOsScheme(prefersLight: boolean) {
  const listeners = new Set<(event: { matches: boolean }) => void>();
  const query = {
    matches: prefersLight,
    addEventListener: (_: string, listener: (event: { matches: boolean }) => void) => listeners.add(listener),
  };
  vi.stubGlobal('matchMedia', (text: string) => {
    expect(text).toBe('(prefers-color-scheme: light)');
    return query;
  });
  return (light: boolean) => {
    query.matches = light;
    for (const listener of listeners) listener({ matches: light });
  };
}

describe('theme', () => {
  beforeEach(() => {
    localStorage.clear();
    disposeTheme();
    delete document.documentElement.dataset.theme;
  });
  afterEach(() => vi.unstubAllGlobals());

  it('is dark unless the OS asks for light under System, or the user chose', () => {
    expect(resolveTheme('system', false)).toBe('dark');
    expect(resolveTheme('system', true)).toBe('light');
    expect(resolveTheme('dark', true)).toBe('dark');
    expect(resolveTheme('light', false)).toBe('light');
  });

  it('follows the OS setting under System, live', () => {
    const setOs = fakeOsScheme(false);
    const theme = useTheme();
    expect(document.documentElement.dataset.theme).toBe('system');
    expect(theme.theme.value).toBe('dark');
    setOs(true);
    expect(theme.theme.value).toBe('light');
    setOs(false);
    expect(theme.theme.value).toBe('dark');
  });

  it('switches through the rail control, puts the choice on the root and remembers it', async () => {
    const setOs = fakeOsScheme(true);
    const wrapper = mount(ThemeSwitch);
    expect(wrapper.get('[data-testid=theme-system]').attributes('aria-checked')).toBe('true');
    expect(useTheme().theme.value).toBe('light');

    await wrapper.get('[data-testid=theme-dark]').trigger('click');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(wrapper.get('[data-testid=theme-dark]').attributes('aria-checked')).toBe('true');
    expect(wrapper.get('[data-testid=theme-system]').attributes('aria-checked')).toBe('false');
    expect(useTheme().theme.value).toBe('dark');
    setOs(true);
    expect(useTheme().theme.value).toBe('dark');

    // The next start reads the choice back before the first paint.
    disposeTheme();
    delete document.documentElement.dataset.theme;
    expect(useTheme().choice.value).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');

    await wrapper.get('[data-testid=theme-light]').trigger('click');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('ignores a stored value that is not a theme', () => {
    fakeOsScheme(false);
    localStorage.setItem('iir.ui.theme', '"purple"');
    expect(useTheme().choice.value).toBe('system');
    localStorage.setItem('iir.ui.theme', '{not json');
    disposeTheme();
    expect(useTheme().choice.value).toBe('system');
  });
});
