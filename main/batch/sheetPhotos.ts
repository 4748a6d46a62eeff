import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageId, ImageInfo, ProjectManifest, RequestOf } from '../../shared/api';
import { IirError, invalidArgument } from '../../shared/errors';
import { encodeGrayPng } from '../image/encode';
import { openSavedImage, packImage } from '../projects/projectEdits';
import { decodeMask } from '../projects/projectFile';
import type { ImageStore } from '../services/images';

type SavedImage = ProjectManifest['images'][number];

/** The longest side of a Batch sheet tile's picture. */
export const thumbnailSide = 256;

/** The batch folders this process made and has not removed yet: removed when it exits. */
const folders = new Set<string>();
let removingAtExit = false;

function removeAtExit(folder: string): void {
  folders.add(folder);
  if (removingAtExit) return;
  removingAtExit = true;
  process.once('exit', () => {
    for (const made of folders) rmSync(made, { recursive: true, force: true });
  });
}

/** A batch folder's name: the process that made it, so another process can tell a live batch's from a leftover. */
const folderPrefix = `iir-batch-${process.pid}-`;
const folderPattern = /^iir-batch-(\d+)-/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Removes the batch folders in `root` that a process no longer running left behind (the app was killed or crashed
 * mid-batch). Only folders this code names are touched; a missing `root` is nothing to do.
 */
export async function removeLeftoverBatchFolders(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const leftovers = names.filter((name) => {
    const pid = Number(folderPattern.exec(name)?.[1] ?? Number.NaN);
    return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  });
  for (const name of leftovers) await rm(join(root, name), { recursive: true, force: true });
  return leftovers;
}

/** The images main holds for one photo in hand (null: not made, or let go). */
export interface HeldPhoto {
  readonly imageId: ImageId;
  readonly maskId: ImageId | null;
  readonly resultId: ImageId | null;
}

/**
 * A finished photo as a batch keeps it: files in the batch's folder (its original's bytes, the found region, the
 * result as a project saves it: the file a later edit starts from, its region and values), nothing in memory.
 */
export interface ParkedPhoto {
  readonly name: string | null;
  readonly width: number;
  readonly height: number;
  readonly original: string;
  readonly mask: string | null;
  /** The result's project entry, and its files by project name → path on disk. */
  readonly result: { readonly image: SavedImage; readonly files: ReadonlyMap<string, string> } | null;
}

/**
 * The Batch sheet's photos over main's image store: each opened when its turn comes (not pinned: the open
 * document keeps its place), pictured small, and once done written to the batch's folder and let go, to be reopened
 * on demand ("Open in editor", a save) exactly as they were: the result with its stored edit, as a project keeps it.
 */
export class SheetPhotos {
  constructor(
    private readonly images: ImageStore,
    private readonly root: string = tmpdir(),
  ) {}

  /** Bytes the store holds now (the batch's own bound is checked against this in tests and the bench). */
  usage(): { bytes: number; count: number } {
    return this.images.usage();
  }

  /**
   * A new folder for a batch's finished photos (in `root`: the app's user-data folder, else the system's temporary
   * folder), removed with the batch or, for the last one, when the app exits.
   */
  async folder(): Promise<string> {
    try {
      await mkdir(this.root, { recursive: true });
      const folder = await mkdtemp(join(this.root, folderPrefix));
      removeAtExit(folder);
      return folder;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new IirError('io_error', `cannot make a folder for the batch's finished photos in ${this.root}: ${why}`);
    }
  }

  /** Removes a batch's folder (only ever one {@link folder} made). */
  async removeFolder(folder: string): Promise<void> {
    folders.delete(folder);
    await rm(folder, { recursive: true, force: true });
  }

  /** Opens a supplied photo, validated and decoded as `images:open` does. */
  open(image: Extract<RequestOf<'batch:supply'>, { image: unknown }>['image']): Promise<ImageInfo> {
    return this.images.open(image, { pin: false });
  }

  /** A small picture of an image (at most {@link thumbnailSide} a side), stored as a preview. */
  async thumbnail(id: ImageId): Promise<ImageId> {
    const { rgb } = this.images.rgb(id);
    const { data, info } = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .resize({ width: thumbnailSide, height: thumbnailSide, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return this.images.addRgb('preview', { width: info.width, height: info.height, data: new Uint8Array(data) }).id;
  }

  /** Writes a finished photo to `folder` as `index`'s files (the result as a project saves it). */
  async park(folder: string, index: number, held: HeldPhoto): Promise<ParkedPhoto> {
    const info = this.images.info(held.imageId);
    const base = join(folder, String(index));
    const original = `${base}-original`;
    await writeFile(original, await this.images.encoded(held.imageId));
    let mask: string | null = null;
    if (held.maskId !== null) {
      mask = `${base}-region.png`;
      await writeFile(mask, await encodeGrayPng(this.images.mask(held.maskId), { fast: true }));
    }
    let result: ParkedPhoto['result'] = null;
    if (held.resultId !== null) {
      const keys = new Map([[held.imageId, 'original']]);
      const packed = await packImage(this.images, held.resultId, { key: 'r1', recipe: null }, keys);
      const files = new Map<string, string>();
      for (const [name, bytes] of packed.files) {
        const path = `${base}-${name.replaceAll('/', '-')}`;
        await writeFile(path, bytes);
        files.set(name, path);
      }
      result = { image: packed.image, files };
    }
    return { name: info.name, width: info.width, height: info.height, original, mask, result };
  }

  /** Opens a finished photo again: its original (the document's now), found region and result with its edit. */
  async reopen(parked: ParkedPhoto): Promise<{ imageId: ImageId; maskId: ImageId | null; resultId: ImageId | null }> {
    const bytes = await readKept(parked.original);
    const info = await this.images.open({ bytes, ...(parked.name === null ? {} : { name: parked.name }) });
    const opened: ImageId[] = [info.id];
    try {
      let maskId: ImageId | null = null;
      if (parked.mask !== null) {
        const png = await readKept(parked.mask);
        maskId = this.images.addMask(await decodeMask(png, info.width, info.height, 'the found region')).id;
        opened.push(maskId);
      }
      const resultId = parked.result === null ? null : await this.reopenResult(parked.result, { info, bytes });
      return { imageId: info.id, maskId, resultId };
    } catch (error) {
      this.release(opened);
      throw error;
    }
  }

  /** Lets go of images (those already forgotten are skipped). */
  release(ids: readonly (ImageId | null)[]): void {
    for (const id of ids) if (id !== null) this.images.release(id);
  }

  private async reopenResult(
    result: NonNullable<ParkedPhoto['result']>,
    original: { info: ImageInfo; bytes: Uint8Array },
  ): Promise<ImageId> {
    const files = new Map<string, Uint8Array>();
    for (const [name, path] of result.files) files.set(name, await readKept(path));
    const need = (name: string): Uint8Array => {
      const bytes = files.get(name);
      if (!bytes) throw invalidArgument(`the batch kept no ${name} for this photo`);
      return bytes;
    };
    const name = original.info.name ?? 'photo';
    return (await openSavedImage(this.images, result.image, need, () => Promise.resolve(original), name)).info.id;
  }
}

/** A file the batch wrote, or a one-line `not_found` when it is gone (its folder was removed). */
async function readKept(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new IirError('not_found', 'this photo of the batch is no longer kept (run the batch again)');
  }
}
