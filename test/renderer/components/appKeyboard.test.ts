import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { type KeyboardCommands, useAppKeyboard } from '../../../renderer/src/composables/useAppKeyboard';

function harness() {
  const done: string[] = [];
  const record = (name: string) => () => void done.push(name);
  const commands = {
    ...Object.fromEntries(
      [
        'undo',
        'redo',
        'generate',
        'cancel',
        'keep',
        'retry',
        'fit',
        'actualSize',
        'zoomIn',
        'zoomOut',
        'open',
        'help',
        'invert',
      ].map((name) => [name, record(name)]),
    ),
    tool: (tool: string) => void done.push(`tool:${tool}`),
    brushSize: () => void done.push('brushSize'),
    hardness: () => void done.push('hardness'),
    paste: () => void done.push('paste'),
  } as unknown as KeyboardCommands;
  const wrapper = mount(
    defineComponent({
      setup() {
        useAppKeyboard(commands);
        return () => h('div', [h('textarea', { id: 'prompt' }), h('input', { id: 'seed', type: 'range' })]);
      },
    }),
    { attachTo: document.body },
  );
  return { done, wrapper };
}

function press(target: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

describe('the app keyboard', () => {
  it('leaves Ctrl+Z and letters to a text field that has focus, except Ctrl+Enter and Esc', () => {
    const { done, wrapper } = harness();
    const prompt = document.getElementById('prompt')!;
    const undo = press(prompt, 'z', { ctrlKey: true });
    expect(undo.defaultPrevented).toBe(false);
    press(prompt, 'b');
    press(prompt, 'Enter', { ctrlKey: true });
    press(prompt, 'Escape');
    expect(done).toEqual(['generate', 'cancel']);

    press(document.getElementById('seed')!, 'z', { ctrlKey: true });
    press(document.body, 'b');
    expect(done).toEqual(['generate', 'cancel', 'undo', 'tool:brush']);
    wrapper.unmount();
  });
});
