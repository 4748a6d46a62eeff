import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImageId, ImageInfo, ImageKind, StoredDifference } from '../../shared/api';
import { IirError, invalidArgument } from '../../shared/errors';
import type { GrayImage, Mask, RgbImage } from '../../shared/image/types';
import { openImage, type ImageSource } from '../image/decode';
import type { SourceColour, StoredPixels } from '../image/stored';
import { editExportNotes, exportEdit, type EditedImage } from '../image/exportEdit';
import type { ExportFormat } from '../image/exportStored';
import { encodeImage } from '../image/encode';
import { describeReadError } from '../image/fileErrors';
import { writeFileAtomic, writeImageFile } from '../image/writeFile';

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
}

/** An edit result as the file's own values: the original's bytes, the composited stored values and the recipe. */
export interface StoredEdit extends EditedImage {
  readonly originalBytes: Uint8Array;
  readonly originalName: string | null;
}

/** Options when adding an RGB image. */
export interface AddImageOptions {
  readonly alpha?: GrayImage | null;
  readonly name?: string | null;
  readonly path?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly source?: Uint8Array | null;
  readonly edit?: StoredEdit | null;
  readonly colour?: ImageInfo['colour'];
}

/**
 * Every image main holds, by id: originals, masks, previews, results. Pixels stay here; the renderer fetches them
 * as PNG through the `iir-image:` protocol or `GET /image/:id`.
 */
export class ImageStore {
  private readonly images = new Map<ImageId, StoredImage>();

  /** Decodes a file or bytes (EXIF-oriented 8-bit sRGB, alpha kept aside) and stores it as an `original`. */
  async open(input: { path: string } | { bytes: Uint8Array; name?: string | undefined }): Promise<ImageInfo> {
    const name = 'path' in input ? basename(input.path) : (input.name ?? null);
    const bytes =
      'path' in input
        ? await readFile(input.path).catch((error: unknown) => {
            throw describeReadError(input.path, error);
          })
        : input.bytes;
    const source = await openImage(bytes, name === null ? {} : { name });
    const decoded = await source.decode();
    return this.addRgb('original', decoded.rgb, {
      alpha: decoded.alpha,
      name,
      path: 'path' in input ? input.path : null,
      source: bytes,
      colour: colourInfo(source.colour),
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
    this.images.set(info.id, {
      info,
      rgb,
      mask: null,
      alpha,
      metadata: options.metadata ?? {},
      source: options.source ?? null,
      edit: options.edit ?? null,
    });
    return info;
  }

  /** Stores a single-channel mask. */
  addMask(mask: Mask): ImageInfo {
    const info: ImageInfo = {
      id: newImageId(),
      kind: 'mask',
      width: mask.width,
      height: mask.height,
      hasAlpha: false,
      name: null,
      path: null,
    };
    this.images.set(info.id, { info, rgb: null, mask, alpha: null, metadata: {}, source: null, edit: null });
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
    image.png ??= image.rgb
      ? encodeImage(image.rgb, image.alpha, { format: 'png', fast: true })
      : encodeImage(grayToRgb(image.mask!), null, { format: 'png', fast: true });
    return image.png;
  }

  /** The image as an encoded file: the bytes it was opened from, else a PNG (with alpha). */
  encoded(id: ImageId): Promise<Uint8Array> {
    const source = this.get(id).source;
    return source ? Promise.resolve(source) : this.png(id);
  }

  /** How an edit result differs from its original, in the original file's stored values. */
  async difference(id: ImageId): Promise<StoredDifference> {
    const { edit } = this.get(id);
    if (!edit) throw invalidArgument(`image ${id} is not an edit result`);
    const original = await (await openEditSource(edit)).decodeStored();
    return storedDifference(original, edit.image, edit.region);
  }

  /** What exporting `id` as `format` cannot keep of its source (nothing for images that are not edits). */
  async exportNotes(id: ImageId, format: ExportFormat): Promise<string[]> {
    const { edit } = this.get(id);
    if (!edit) return [];
    return editExportNotes(await openEditSource(edit), format);
  }

  /**
   * Writes an image to `path` atomically, with its metadata when asked. An edit is written in the original file's
   * terms (stored values, profile, bit depth, EXIF/XMP/IPTC); answers what the format could not keep.
   */
  async export(
    id: ImageId,
    path: string,
    options: { format: ExportFormat; quality?: number | undefined; metadata: boolean; removeLocation?: boolean },
  ): Promise<string[]> {
    const image = this.get(id);
    if (image.edit) {
      const source = await openEditSource(image.edit);
      const { bytes, notes } = await exportEdit(source, image.edit, {
        format: options.format,
        ...(options.quality === undefined || options.format === 'png' || options.format === 'tiff'
          ? {}
          : { quality: options.quality }),
        removeLocation: options.removeLocation ?? false,
        ...(options.metadata ? {} : { withoutRecipe: true }),
      });
      await writeFileAtomic(path, bytes);
      return notes;
    }
    if (options.format === 'tiff') throw invalidArgument('only edit results can be exported as TIFF');
    const rgb = image.rgb ?? grayToRgb(image.mask!);
    await writeImageFile(path, rgb, image.alpha, {
      format: options.format,
      ...(options.format === 'png' ? {} : { quality: options.quality ?? (options.format === 'webp' ? 90 : 92) }),
      metadata: options.metadata ? image.metadata : {},
    });
    return [];
  }

  /** Forgets an image; false when it was not held. */
  release(id: ImageId): boolean {
    return this.images.delete(id);
  }

  private get(id: ImageId): StoredImage {
    const image = this.images.get(id);
    if (!image) throw new IirError('not_found', `no image ${id} (it was closed or never opened)`);
    return image;
  }
}

/** The facts about a file's colour that the renderer shows. */
export function colourInfo(colour: SourceColour): NonNullable<ImageInfo['colour']> {
  return { space: colour.space, depth: colour.depth, profile: colour.profileName, warning: colour.warning };
}

/** Counts stored-value differences (stored orientation); `region` non-zero where the edit may change values. */
export function storedDifference(a: StoredPixels, b: StoredPixels, region: Uint8Array): StoredDifference {
  let changedPixels = 0;
  let changedOutsideRegion = 0;
  let maxDifference = 0;
  const { channels } = a;
  for (let i = 0, p = 0; i < region.length; i++, p += channels) {
    let d = 0;
    for (let c = 0; c < channels; c++) d = Math.max(d, Math.abs(a.data[p + c]! - b.data[p + c]!));
    if (d === 0) continue;
    changedPixels++;
    if (region[i] === 0) changedOutsideRegion++;
    if (d > maxDifference) maxDifference = d;
  }
  return { changedPixels, changedOutsideRegion, maxDifference, depth: a.depth };
}

function openEditSource(edit: StoredEdit): Promise<ImageSource> {
  return openImage(edit.originalBytes, edit.originalName === null ? {} : { name: edit.originalName });
}

function newImageId(): ImageId {
  return `img_${randomUUID()}` as ImageId;
}

function grayToRgb(gray: GrayImage): RgbImage {
  const data = new Uint8Array(gray.width * gray.height * 3);
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const v = gray.data[i]!;
    data[j] = v;
    data[j + 1] = v;
    data[j + 2] = v;
  }
  return { width: gray.width, height: gray.height, data };
}
