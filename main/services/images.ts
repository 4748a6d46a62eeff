import { basename } from 'node:path';
import type { ExportPlan, ImageId, ImageInfo, ImageKind, StoredDifference } from '../../shared/api';
import { IirError, invalidArgument } from '../../shared/errors';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import { openImage, type ImageSource } from '../image/decode';
import { encodeImage } from '../image/encode';
import { exportEdit } from '../image/exportEdit';
import type { ExportFormat } from '../image/exportStored';
import { readImageFile } from '../files/readRegularFile';
import { writeFileAtomic } from '../files/atomicWrite';
import {
  editAsSourceFile,
  editDifference,
  type ExportOptions,
  exportPlan,
  notComparable,
  notEditedNote,
} from './editExports';
import { EditSources } from './editSources';
import { type AddImageOptions, colourInfo, editBytes, grayToRgb, newImageId, type StoredEdit } from './storedEdits';
export type { AddImageOptions, StoredEdit } from './storedEdits';

interface StoredImage {
  readonly info: ImageInfo;
  readonly rgb: RgbImage | null;
  readonly mask: Mask | null;
  readonly alpha: GrayImage | null;
  /** Text for the file's metadata on export (the edit recipe of a result). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The file's bytes as opened, for the engine to decode its own frame from. */
  readonly source: Uint8Array | null;
  /** A result: the edit in the original file's own values, exported in its terms. */
  readonly edit: StoredEdit | null;
  png?: Promise<Uint8Array>;
  /** An edit as its source's kind of file, once a later edit asked for it. */
  asSource?: Promise<Uint8Array>;
  /** Bytes this entry holds (pixels, alpha, mask, source, and the PNG and file for a later edit once made). */
  bytes: number;
}

/** What the store may hold before it forgets the least recently used images (the open original is kept). */
export const defaultImageBudgetBytes = 512 * 1024 * 1024;

/**
 * Every image main holds, by id: originals, masks, previews, results. Pixels stay here; the renderer fetches them
 * as PNG through the `iir-image:` protocol or `GET /image/:id`.
 */
export class ImageStore {
  /** In least- to most-recently used order (an access moves an entry to the end). */
  private readonly images = new Map<ImageId, StoredImage>();
  private heldBytes = 0;
  /** The original of the document open now: never forgotten to make room. */
  private pinned: ImageId | null = null;
  /** The originals of edits, opened and decoded once (dropped with the image they belong to). */
  readonly sources = new EditSources();
  /** The last difference heat map, released when the next is made. */
  private lastMap: ImageId | null = null;

  /** `budgetBytes`: past it, the least recently used images (never the open original) are forgotten. */
  constructor(private readonly budgetBytes: number = defaultImageBudgetBytes) {}

  /** Bytes held now, and how many images. */
  usage(): { bytes: number; count: number } {
    return { bytes: this.heldBytes, count: this.images.size };
  }

  /**
   * Decodes a file or bytes (EXIF-oriented 8-bit sRGB, alpha kept aside) and stores it as an `original`; `pin: false`
   * (a Batch sheet photo) leaves the open document's original the one never forgotten.
   */
  async open(
    input: { path: string } | { bytes: Uint8Array; name?: string | undefined },
    { pin = true }: { pin?: boolean } = {},
  ): Promise<ImageInfo> {
    const name = 'path' in input ? basename(input.path) : (input.name ?? null);
    const bytes = 'path' in input ? await readImageFile(input.path) : input.bytes;
    const source = await openImage(bytes, name === null ? {} : { name });
    const decoded = await source.decode();
    return this.addRgb('original', decoded.rgb, {
      alpha: decoded.alpha,
      name,
      path: 'path' in input ? input.path : null,
      source: bytes,
      colour: colourInfo(source.colour),
      pin,
    });
  }

  /** Stores an RGB image of `kind`. */
  addRgb(kind: ImageKind, rgb: RgbImage, options: AddImageOptions = {}): ImageInfo {
    const alpha = options.alpha ?? null;
    const info: ImageInfo = {
      id: newImageId(),
      kind,
      width: rgb.width,
      height: rgb.height,
      hasAlpha: alpha !== null,
      name: options.name ?? null,
      path: options.path ?? null,
      ...(options.colour ? { colour: options.colour } : {}),
    };
    const source = options.source ?? null;
    const edit = options.edit ?? null;
    const bytes = rgb.data.byteLength + (alpha?.data.byteLength ?? 0) + (source?.byteLength ?? 0) + editBytes(edit);
    if (kind === 'original' && options.pin !== false) this.pinned = info.id;
    const metadata = options.metadata ?? {};
    this.store(info.id, { info, rgb, mask: null, alpha, metadata, source, edit, bytes });
    return info;
  }

  /** Stores a single-channel mask. */
  addMask(mask: Mask): ImageInfo {
    const { width, height } = mask;
    const info: ImageInfo = { id: newImageId(), kind: 'mask', width, height, hasAlpha: false, name: null, path: null };
    const entry = { info, rgb: null, mask, alpha: null, metadata: {}, source: null, edit: null };
    this.store(info.id, { ...entry, bytes: mask.data.byteLength });
    return info;
  }

  /** Facts about an image; `not_found` when the id is unknown (or released). */
  info(id: ImageId): ImageInfo {
    return this.get(id).info;
  }

  /** The pixels of an RGB image, with its alpha. */
  rgb(id: ImageId): { rgb: RgbImage; alpha: GrayImage | null } {
    const image = this.get(id);
    if (!image.rgb) throw invalidArgument(`image ${id} is a mask, not a picture`);
    return { rgb: image.rgb, alpha: image.alpha };
  }

  /** The pixels of a mask. */
  mask(id: ImageId): Mask {
    const image = this.get(id);
    if (!image.mask) throw invalidArgument(`image ${id} is not a mask`);
    return image.mask;
  }

  /** PNG bytes of an image (masks as gray), encoded once and kept. */
  png(id: ImageId): Promise<Uint8Array> {
    const image = this.get(id);
    if (!image.png) {
      image.png = image.rgb
        ? encodeImage(image.rgb, image.alpha, { format: 'png', fast: true })
        : encodeImage(grayToRgb(image.mask!), null, { format: 'png', fast: true });
      this.account(id, image, image.png);
    }
    return image.png;
  }

  /**
   * The image as an encoded file, for the engine to edit again: the bytes it was opened from; an edit in its
   * source's own terms (see {@link editAsSourceFile}; made once); else a PNG (with alpha).
   */
  encoded(id: ImageId): Promise<Uint8Array> {
    const image = this.get(id);
    if (image.source) return Promise.resolve(image.source);
    if (!image.edit) return this.png(id);
    const { edit } = image;
    if (!image.asSource) {
      image.asSource = this.editSource(edit).then((source) => editAsSourceFile(source, edit));
      this.account(id, image, image.asSource);
    }
    return image.asSource;
  }

  /**
   * How an edit result differs from the image it was edited from (or `against`: that image, or another edit of
   * it), in the original file's stored values, with a heat map stored as an image (the previous map is released).
   */
  async difference(id: ImageId, against?: ImageId): Promise<StoredDifference> {
    const edit = this.storedEdit(id);
    if (!edit) throw invalidArgument(`image ${id} is not an edit result`);
    const source = await this.editSource(edit);
    let basis;
    if (against === undefined || against === edit.sourceId) {
      basis = await this.sources.stored(edit.sourceId, edit.originalBytes, edit.originalName);
    } else {
      const other = this.get(against).edit;
      if (other?.sourceId !== edit.sourceId) throw notComparable();
      basis = other.image;
    }
    const { counts, map } = editDifference(source, edit, basis);
    if (this.lastMap) this.release(this.lastMap);
    this.lastMap = this.addRgb('preview', map.rgb, { alpha: map.alpha }).id;
    return { ...counts, mapId: this.lastMap };
  }

  /** The stored edit behind a result (values, region, recipe, source), or null for any other image. */
  storedEdit(id: ImageId): StoredEdit | null {
    return this.get(id).edit;
  }

  /** What exporting `id` as `format` keeps and cannot keep of its source (nothing to say for non-edits). */
  async exportNotes(id: ImageId, format: ExportFormat, keepBlocks = true): Promise<ExportPlan> {
    const { edit } = this.get(id);
    if (!edit) return { notes: [notEditedNote], source: null, jpegBlocks: null };
    return exportPlan(await this.editSource(edit), edit, format, keepBlocks);
  }

  /**
   * An image encoded as an export file, with its metadata when asked (serve mode downloads these bytes). An edit is
   * written in the original file's terms (stored values, profile, bit depth, EXIF/XMP/IPTC), with what the format
   * could not keep.
   */
  async encodeForExport(id: ImageId, options: ExportOptions): Promise<{ bytes: Uint8Array; notes: string[] }> {
    const image = this.get(id);
    const keepsQuality = options.format === 'jpeg' || options.format === 'webp';
    if (image.edit) {
      return exportEdit(await this.editSource(image.edit), image.edit, {
        format: options.format,
        keepBlocks: options.keepBlocks ?? true,
        ...(options.quality !== undefined && keepsQuality ? { quality: options.quality } : {}),
        removeLocation: options.removeLocation ?? false,
        ...(options.metadata ? {} : { withoutRecipe: true }),
      });
    }
    if (options.format === 'tiff') throw invalidArgument('only edit results can be exported as TIFF');
    const rgb = image.rgb ?? grayToRgb(image.mask!);
    const bytes = await encodeImage(rgb, image.alpha, {
      format: options.format,
      ...(keepsQuality ? { quality: options.quality ?? (options.format === 'webp' ? 90 : 92) } : {}),
      metadata: options.metadata ? image.metadata : {},
    });
    return { bytes, notes: [] };
  }

  /** Writes an image to `path` atomically (the caller decides the path may be written); answers the notes. */
  async export(id: ImageId, path: string, options: ExportOptions): Promise<string[]> {
    const { bytes, notes } = await this.encodeForExport(id, options);
    await writeFileAtomic(path, bytes);
    return notes;
  }

  /** Forgets an image; false when it was not held. */
  release(id: ImageId): boolean {
    const image = this.images.get(id);
    if (!image) return false;
    this.images.delete(id);
    this.heldBytes -= image.bytes;
    if (this.pinned === id) this.pinned = null;
    if (this.lastMap === id) this.lastMap = null;
    this.sources.forget(id);
    return true;
  }

  /** Forgets every image (a serve-mode page that went away: the next one starts clean). */
  clear(): void {
    this.images.clear();
    this.heldBytes = 0;
    this.pinned = null;
    this.lastMap = null;
    this.sources.clear();
  }

  /** Counts bytes an entry made on demand (its PNG, its file for a later edit) once they exist. */
  private account(id: ImageId, image: StoredImage, made: Promise<Uint8Array>): void {
    made.then(
      (bytes) => {
        if (this.images.get(id) !== image) return;
        image.bytes += bytes.byteLength;
        this.heldBytes += bytes.byteLength;
        this.evict(id);
      },
      () => undefined,
    );
  }

  private store(id: ImageId, image: StoredImage): void {
    this.images.set(id, image);
    this.heldBytes += image.bytes;
    this.evict(id);
  }

  /** Forgets the least recently used images until the budget holds, sparing the open original and `keep`. */
  private evict(keep: ImageId): void {
    for (const [id] of this.images) {
      if (this.heldBytes <= this.budgetBytes) return;
      if (id !== keep && id !== this.pinned) this.release(id);
    }
  }

  private editSource(edit: StoredEdit): Promise<ImageSource> {
    return this.sources.open(edit.sourceId, edit.originalBytes, edit.originalName);
  }

  private get(id: ImageId): StoredImage {
    const image = this.images.get(id);
    if (!image) throw new IirError('not_found', `no image ${id} (it was closed, or forgotten to free memory)`);
    // Most recently used last.
    this.images.delete(id);
    this.images.set(id, image);
    return image;
  }
}
