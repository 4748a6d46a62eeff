import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenu, type MenuAction } from '../../../main/electron/menu';
import { menuCommands } from '../../../shared/api';
import { Menu } from './electronStub';

vi.mock('electron', () => import('./electronStub'));

/** Every item of a template, submenus included, flattened. */
function items(template: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

describe('the application menu', () => {
  it('has an item for every command the editor carries out, and each sends its own', () => {
    const sent: MenuAction[] = [];
    buildMenu((action) => sent.push(action));
    const [template] = Menu.buildFromTemplate.mock.lastCall as unknown as [MenuItemConstructorOptions[]];
    const clickable = items(template).filter((item) => item.click);
    for (const item of clickable) (item.click as () => void)();
    expect([...sent].sort()).toEqual([...menuCommands].sort());
    const file = template.find((item) => item.label === 'File')!.submenu as MenuItemConstructorOptions[];
    expect(file.map((item) => item.label ?? item.type ?? item.role)).toContain('Batch…');
  });
});
