import type { ImageId } from '../../shared/api';
import { openImage, type ImageSource } from '../image/decode';
import type { StoredPixels } from '../image/stored';

/** An original an edit was made from: the file opened (header, profile, metadata), and its stored values once asked. */
interface SourceEntry {
  readonly source: Promise<ImageSource>;
  stored?: Promise<StoredPixels>;
  /** Bytes of the decoded stored values once they are held. */
  storedBytes: number;
}

/** How much work the cache saved or did (for tests and the benchmark). */
export interface EditSourceStats {
  opens: number;
  decodes: number;
  entries: number;
  bytes: number;
}

/**
 * The originals that open edits were made from, opened and decoded once per open document instead of on every
 * difference, export-notes and export call. Bounded to `maxEntries` originals (least recently used forgotten), and
 * an entry is dropped when the image it belongs to is released (the document closed) or the store is cleared.
 */
export class EditSources {
  /** Keyed by the id of the image the edits were made from; least- to most-recently used. */
  private readonly entries = new Map<ImageId, SourceEntry>();
  private opens = 0;
  private decodes = 0;

  constructor(private readonly maxEntries = 2) {}

  /** The opened original of image `id`, whose file bytes are `bytes`. */
  open(id: ImageId, bytes: Uint8Array, name: string | null): Promise<ImageSource> {
    return this.entry(id, bytes, name).source;
  }

  /** The original's stored values (stored orientation and depth, no colour conversion), decoded once. */
  stored(id: ImageId, bytes: Uint8Array, name: string | null): Promise<StoredPixels> {
    const entry = this.entry(id, bytes, name);
    if (!entry.stored) {
      this.decodes++;
      const decoding = entry.source.then((source) => source.decodeStored());
      entry.stored = decoding;
      decoding.then(
        (stored) => (entry.storedBytes = stored.data.byteLength),
        () => {
          if (entry.stored === decoding) delete entry.stored;
        },
      );
    }
    return entry.stored;
  }

  /** Forgets the original of image `id` (it was released). */
  forget(id: ImageId): void {
    this.entries.delete(id);
  }

  /** Forgets every original. */
  clear(): void {
    this.entries.clear();
  }

  stats(): EditSourceStats {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.storedBytes;
    return { opens: this.opens, decodes: this.decodes, entries: this.entries.size, bytes };
  }

  private entry(id: ImageId, bytes: Uint8Array, name: string | null): SourceEntry {
    let entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
    } else {
      this.opens++;
      const source = openImage(bytes, name === null ? {} : { name });
      source.catch(() => this.entries.get(id) === entry && this.entries.delete(id));
      entry = { source, storedBytes: 0 };
    }
    this.entries.set(id, entry);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
    return entry;
  }
}
