import { describe, expect, it } from 'vitest';
import { type KeyPress, shortcutFor } from '../../../renderer/src/editing/shortcuts';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: extra.code ?? `Key${key.toUpperCase()}`,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...extra,
});

describe('shortcuts', () => {
  it.each([
    { name: 'B brush', p: press('b'), typing: false, action: { type: 'tool', tool: 'brush' } },
    { name: 'E eraser', p: press('e'), typing: false, action: { type: 'tool', tool: 'eraser' } },
    { name: 'Ctrl+E export', p: press('e', { ctrlKey: true }), typing: false, action: { type: 'export' } },
    { name: 'L lasso', p: press('L', { shiftKey: true }), typing: false, action: { type: 'tool', tool: 'lasso' } },
    { name: 'M box', p: press('m'), typing: false, action: { type: 'tool', tool: 'box' } },
    {
      name: '[ smaller',
      p: press('[', { code: 'BracketLeft' }),
      typing: false,
      action: { type: 'brushSize', factor: 1 / 1.2 },
    },
    {
      name: '] larger',
      p: press(']', { code: 'BracketRight' }),
      typing: false,
      action: { type: 'brushSize', factor: 1.2 },
    },
    {
      name: 'Shift+[ softer',
      p: press('{', { code: 'BracketLeft', shiftKey: true }),
      typing: false,
      action: { type: 'hardness', delta: -0.1 },
    },
    {
      name: 'Shift+] harder',
      p: press('}', { code: 'BracketRight', shiftKey: true }),
      typing: false,
      action: { type: 'hardness', delta: 0.1 },
    },
    { name: 'Ctrl+Z undo', p: press('z', { ctrlKey: true }), typing: false, action: { type: 'undo' } },
    { name: '⌘⇧Z redo', p: press('Z', { metaKey: true, shiftKey: true }), typing: false, action: { type: 'redo' } },
    {
      name: 'Ctrl+Enter in the prompt',
      p: press('Enter', { code: 'Enter', ctrlKey: true }),
      typing: true,
      action: { type: 'generate' },
    },
    { name: 'Esc while typing', p: press('Escape', { code: 'Escape' }), typing: true, action: { type: 'cancel' } },
    { name: 'B while typing is text', p: press('b'), typing: true, action: null },
    { name: 'Ctrl+Z while typing undoes the text', p: press('z', { ctrlKey: true }), typing: true, action: null },
    {
      name: 'Ctrl+Shift+Z while typing redoes the text',
      p: press('Z', { ctrlKey: true, shiftKey: true }),
      typing: true,
      action: null,
    },
    { name: 'Ctrl+O while typing stays in the field', p: press('o', { ctrlKey: true }), typing: true, action: null },
    { name: 'K keeps', p: press('k'), typing: false, action: { type: 'keep' } },
    { name: '? help', p: press('?', { shiftKey: true, code: 'Slash' }), typing: false, action: { type: 'help' } },
    { name: 'unbound', p: press('q'), typing: false, action: null },
  ])('$name', ({ p, typing, action }) => {
    expect(shortcutFor(p, typing)).toEqual(action);
  });
});
