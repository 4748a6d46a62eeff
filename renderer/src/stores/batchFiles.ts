import type { BatchEvent } from '../../../shared/api';
import { maxImageBytes } from '../../../shared/api/images';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';

/**
 * The Batch sheet's picked files, by item index. A file stays a handle on the disk until main asks for its photo
 * (the item turns `opening`): then it is handed over once, as its path in the desktop app (main reads it), else
 * read and sent as bytes, so the page never holds every photo's bytes.
 */
export class BatchFiles {
  private files: File[] = [];
  private readonly supplied = new Set<number>();

  add(file: File): void {
    this.files = [...this.files, file];
  }

  clear(): void {
    this.files = [];
    this.supplied.clear();
  }

  /** A new batch over the same files: each may be handed over again. */
  restart(): void {
    this.supplied.clear();
  }

  /** Hands main the photo it asked for (main validates and opens it), or tells it why the file cannot be sent. */
  async supply(batchId: string, index: number): Promise<void> {
    const file = this.files[index];
    if (!file || this.supplied.has(index)) return;
    this.supplied.add(index);
    const ref = { batchId, index };
    try {
      if (file.size === 0 || file.size > maxImageBytes) throw new Error('the image must be between 1 byte and 256 MiB');
      const path = pathOf(file);
      const image = path ? { path } : { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name };
      await api().batch.supply({ ...ref, image });
    } catch (caught) {
      const unreadable = `${file.name}: ${describeError(caught).text}`.slice(0, 500);
      await api()
        .batch.supply({ ...ref, unreadable })
        .catch(() => undefined);
    }
  }
}

/** A picked file's path in the desktop app, or '' (a browser; a file with none; a preload that cannot say). */
function pathOf(file: File): string {
  try {
    return window.iirFiles?.pathOf(file) ?? '';
  } catch {
    return '';
  }
}

/** A starting batch's events that arrive before its id (main asks for the first photos at once), held till then. */
export class EarlyEvents {
  private held: BatchEvent[] | null = null;

  hold(): void {
    this.held = [];
  }

  /** Keeps an event while a start is pending and the batch is not known yet; true when it was kept. */
  keep(event: BatchEvent, known: boolean): boolean {
    if (known || !this.held) return false;
    this.held.push(event);
    return true;
  }

  /** The held events of batch `batchId` (none when the start failed); holds no more. */
  release(batchId: string | null): BatchEvent[] {
    const events = (this.held ?? []).filter((event) => event.batchId === batchId);
    this.held = null;
    return events;
  }
}
