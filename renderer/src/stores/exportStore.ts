import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import {
  type ExportPlan,
  type ImageId,
  exportExtensions,
  exportFileNameProblem,
  type exportFormats,
} from '../../../shared/api';
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

const fileExtension = (format: ExportFormat): string => exportExtensions[format][0].slice(1);

/** `coffee.jpg` → `coffee-edited.png`: the name the save dialog or the download starts from. */
export function exportName(sourceName: string, format: ExportFormat): string {
  const stem = sourceName.replace(/\.[^.]+$/, '') || 'image';
  return `${stem}-edited.${fileExtension(format)}`;
}

/** The export format of a file's family, by its name: JPEG, WebP and TIFF stay so; anything else becomes PNG. */
export function formatFamily(name: string): ExportFormat {
  const lower = name.toLowerCase();
  for (const format of ['jpeg', 'webp', 'tiff'] as const) {
    if (exportExtensions[format].some((ext) => lower.endsWith(ext))) return format;
  }
  return 'png';
}

/** `name` with its extension replaced by `format`'s (or added when it has none). */
export function withExtension(name: string, format: ExportFormat): string {
  const stem = name.replace(/\.[^./\\]*$/, '');
  return `${stem || 'image'}.${fileExtension(format)}`;
}

/** What an export sends main besides the image, the path and the format (main validates each again). */
interface ExportChoices {
  readonly format: ExportFormat;
  readonly quality?: number;
  readonly removeLocation: boolean;
  readonly keepBlocks: boolean;
}

async function toFile(id: ImageId, name: string, choices: ExportChoices): Promise<{ text: string; notes: string[] }> {
  const { path } = await api().dialogs.save({ defaultName: name, format: choices.format });
  if (path === null) return { text: '', notes: [] };
  const written = await api().images.export({ id, path, ...choices });
  return { text: `Saved ${written.path} (${(written.bytes / 1024).toFixed(0)} KB)`, notes: written.notes };
}

async function toDownload(
  id: ImageId,
  name: string,
  choices: ExportChoices,
): Promise<{ text: string; notes: string[] }> {
  const { bytes, notes } = await api().images.encode({ id, ...choices });
  downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeTypes[choices.format] }), name);
  return { text: `Downloaded ${name} (${(bytes.byteLength / 1024).toFixed(0)} KB)`, notes };
}

/** What is sent for the chosen format: quality only for lossy formats; location removal only when there is one. */
function choicesFor(chosen: {
  format: ExportFormat;
  quality: number | null;
  keepBlocks: boolean;
  removeLocation: boolean;
  plan: ExportPlan | null;
}): ExportChoices {
  const lossy = chosen.format === 'jpeg' || chosen.format === 'webp';
  return {
    format: chosen.format,
    // An emptied quality field (v-model.number leaves '') means "auto", as null does.
    ...(lossy && typeof chosen.quality === 'number' ? { quality: chosen.quality } : {}),
    removeLocation: Boolean(chosen.plan?.source?.hasLocation) && chosen.removeLocation,
    keepBlocks: chosen.keepBlocks,
  };
}

/**
 * Exporting the selected result (or the current base): the format (the source's family by default), the file name
 * (a name, not a path), what is kept (from main's plan, shown before writing) and the choices "Keep untouched
 * blocks" and "Remove location". The desktop app asks where with the native save dialog and main writes only
 * there; in a browser the encoded file is downloaded (the server writes nothing).
 */
export const useExportStore = defineStore('export', () => {
  const format = ref<ExportFormat>('png');
  const fileName = ref(exportName('', 'png'));
  /**
   * The choices: JPEG/WebP quality (null: main's default, a JPEG source's own estimated quality, else 92 / 90);
   * "Keep untouched blocks" (JPEG → JPEG); "Remove location" (off unless asked).
   */
  const choices = reactive({ quality: null as number | null, keepBlocks: true, removeLocation: false });
  const plan = shallowRef<ExportPlan | null>(null);
  const planError = ref<string | null>(null);
  const message = ref<string | null>(null);
  /** What the last export could not keep, or how many blocks it re-encoded. */
  const writtenNotes = ref<string[]>([]);
  const error = ref<string | null>(null);
  const isExporting = ref(false);
  const nameProblem = computed(() => exportFileNameProblem(fileName.value, format.value));
  const target = computed(() => useEditStore().selectedResult?.id ?? useDocumentStore().base?.id ?? null);

  /** Another photo: its own format family and name, the choices back to their defaults, no messages. */
  function reset(sourceName: string): void {
    format.value = formatFamily(sourceName);
    fileName.value = exportName(sourceName, format.value);
    Object.assign(choices, { quality: null, keepBlocks: true, removeLocation: false });
    plan.value = null;
    message.value = error.value = planError.value = null;
    writtenNotes.value = [];
  }

  function setFormat(next: ExportFormat): void {
    format.value = next;
    fileName.value = withExtension(fileName.value, next);
  }

  /** Asks main what exporting the target as the chosen format keeps and cannot keep (before anything is written). */
  async function refreshPlan(): Promise<void> {
    const id = target.value;
    if (!id) return void (plan.value = null);
    const asked = { id, format: format.value, keepBlocks: choices.keepBlocks };
    const answer = await api()
      .images.exportNotes(asked)
      .catch((caught: unknown) => describeError(caught).text);
    if (target.value !== id || format.value !== asked.format || choices.keepBlocks !== asked.keepBlocks) return;
    [plan.value, planError.value] = typeof answer === 'string' ? [null, answer] : [answer, null];
  }

  /** Exports the target; nothing happens without a photo, with a bad file name, or when the dialog is cancelled. */
  async function run(): Promise<void> {
    const id = target.value;
    if (!id || isExporting.value || nameProblem.value) return;
    const sent = choicesFor({ ...choices, format: format.value, plan: plan.value });
    isExporting.value = true;
    try {
      const done = isDesktopApp() ? await toFile(id, fileName.value, sent) : await toDownload(id, fileName.value, sent);
      if (done.text) [message.value, writtenNotes.value, error.value] = [done.text, done.notes, null];
    } catch (caught) {
      [error.value, message.value, writtenNotes.value] = [describeError(caught).text, null, []];
    } finally {
      isExporting.value = false;
    }
  }

  return {
    format,
    fileName,
    choices,
    plan,
    planError,
    message,
    writtenNotes,
    error,
    isExporting,
    nameProblem,
    target,
    reset,
    setFormat,
    refreshPlan,
    run,
  };
});
