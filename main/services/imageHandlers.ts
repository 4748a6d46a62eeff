import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { exportFileNameProblem, hasExportExtension } from '../../shared/api';
import { invalidArgument } from '../../shared/errors';
import type { ExportFormat } from '../image/exportStored';
import type { Handlers } from '../ipc/handlers';
import type { ImageStore } from './images';
import { SaveGrants } from './saveGrants';

/** The image and save-dialog channels. */
type ImageChannels =
  | 'images:open'
  | 'dialogs:save'
  | 'images:info'
  | 'images:export'
  | 'images:encode'
  | 'images:exportNotes'
  | 'images:difference'
  | 'images:release';

/** Refuses a file name whose extension is not the format's (`~/.bashrc` as a PNG, `photo.jpg` as WebP). */
function checkExtension(path: string, format: ExportFormat): void {
  if (!hasExportExtension(path, format)) {
    const wanted = format === 'jpeg' ? '.jpg or .jpeg' : format === 'tiff' ? '.tif or .tiff' : `.${format}`;
    throw invalidArgument(`${basename(path)} does not end in ${wanted}; a ${format.toUpperCase()} file must`);
  }
}

/**
 * Opening, exporting and releasing images. Export writes only to a path the native save dialog returned for that
 * export (once); serve mode has no dialog, so it never writes: its page downloads `images:encode`'s bytes.
 */
export function createImageHandlers(
  images: ImageStore,
  showSaveDialog: ((defaultName: string, format: ExportFormat) => Promise<string | null>) | undefined,
): Pick<Handlers, ImageChannels> {
  const saveGrants = new SaveGrants();
  return {
    'images:open': (request) => images.open(request),
    'dialogs:save': async ({ defaultName, format }) => {
      if (!showSaveDialog)
        throw invalidArgument('file dialogs exist only in the desktop app; download the image instead');
      const problem = exportFileNameProblem(defaultName, format);
      if (problem) throw invalidArgument(`cannot save as ${JSON.stringify(defaultName)}: ${problem}`);
      const path = await showSaveDialog(defaultName, format);
      if (path !== null) {
        checkExtension(path, format);
        saveGrants.grant(path, format);
      }
      return { path };
    },
    'images:info': ({ id }) => images.info(id),
    'images:export': async ({ id, path, format, quality, metadata, removeLocation, keepBlocks }) => {
      checkExtension(path, format);
      if (!saveGrants.take(path, format)) {
        throw invalidArgument(
          showSaveDialog
            ? 'export writes only to a file just chosen in the save dialog; choose it again (File → Export…)'
            : 'in the browser, export downloads the image; the server writes no file a page names',
        );
      }
      const notes = await images.export(id, path, { format, quality, metadata, removeLocation, keepBlocks });
      return { path, bytes: (await stat(path)).size, notes };
    },
    'images:encode': ({ id, format, quality, metadata, removeLocation, keepBlocks }) =>
      images.encodeForExport(id, { format, quality, metadata, removeLocation, keepBlocks }),
    'images:exportNotes': ({ id, format, keepBlocks }) => images.exportNotes(id, format, keepBlocks),
    'images:difference': ({ id, against }) => images.difference(id, against),
    'images:release': ({ id }) => ({ released: images.release(id) }),
  };
}
