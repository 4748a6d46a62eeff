import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ImageId, exportFormats } from '../../../shared/api';
import { api, isDesktopApp } from '../api/client';
import { downloadBlob } from '../composables/imagePixels';
import { describeError } from '../editing/errorMessages';
import { useDocumentStore } from './documentStore';
import { useEditStore } from './editStore';

/** An export format (PNG, JPEG, WebP, TIFF). */
export type ExportFormat = (typeof exportFormats)[number];

const mimeTypes: Record<ExportFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  tiff: 'image/tiff',
};

/** `coffee.jpg` → `coffee-edited.png`: the name the save dialog or the download starts from. */
export function exportName(sourceName: string, format: ExportFormat): string {
  const stem = sourceName.replace(/\.[^.]+$/, '') || 'image';
  return `${stem}-edited.${format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format}`;
}

/**
 * Exporting the selected result (or the current base). The desktop app asks where with the native save dialog and
 * main writes only there; in a browser the encoded file is downloaded (the server writes nothing).
 */
export const useExportStore = defineStore('export', () => {
  const format = ref<ExportFormat>('png');
  const quality = ref(92);
  const message = ref<string | null>(null);
  const error = ref<string | null>(null);
  const isExporting = ref(false);

  async function toFile(id: ImageId, name: string): Promise<string | null> {
    const { path } = await api().dialogs.save({ defaultName: name, format: format.value });
    if (path === null) return null;
    const written = await api().images.export({ id, path, format: format.value, quality: quality.value });
    return `Saved ${written.path} (${(written.bytes / 1024).toFixed(0)} KB)`;
  }

  async function toDownload(id: ImageId, name: string): Promise<string> {
    const { bytes } = await api().images.encode({ id, format: format.value, quality: quality.value });
    downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeTypes[format.value] }), name);
    return `Downloaded ${name} (${(bytes.byteLength / 1024).toFixed(0)} KB)`;
  }

  /** Exports the selected result, else the base; nothing happens without a photo or when the dialog is cancelled. */
  async function run(): Promise<void> {
    const id = useEditStore().selectedResult?.id ?? useDocumentStore().base?.id;
    if (!id || isExporting.value) return;
    const name = exportName(useDocumentStore().name, format.value);
    isExporting.value = true;
    try {
      const done = isDesktopApp() ? await toFile(id, name) : await toDownload(id, name);
      if (done !== null) {
        message.value = done;
        error.value = null;
      }
    } catch (caught) {
      error.value = describeError(caught).text;
      message.value = null;
    } finally {
      isExporting.value = false;
    }
  }

  return { format, quality, message, error, isExporting, run };
});
