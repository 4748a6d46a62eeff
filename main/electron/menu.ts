import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { menuCommands } from '../../shared/api';

/** What a menu item asks for: open a file (main shows the dialog) or a command the renderer carries out. */
export type MenuAction = (typeof menuCommands)[number];

/** The application menu: File open/export/batch, Edit undo/redo (the editor's own history) and sweep, View compare. */
export function buildMenu(onAction: (action: MenuAction) => void): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => onAction('open') },
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => onAction('export') },
        { type: 'separator' },
        { label: 'Batch…', click: () => onAction('batch') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        // The editor keeps its own history (masks, edits); text fields still get the native commands below.
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: () => onAction('undo') },
        { label: 'Redo', accelerator: 'Shift+CmdOrCtrl+Z', click: () => onAction('redo') },
        { type: 'separator' },
        { label: 'Sweep…', click: () => onAction('sweep') },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Compare with Original', accelerator: 'CmdOrCtrl+D', click: () => onAction('compare') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
