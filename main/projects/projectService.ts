import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageId, ProjectManifest, ProjectOpened, RequestOf } from '../../shared/api';
import { projectSchemaVersion } from '../../shared/api/projects';
import { invalidArgument } from '../../shared/errors';
import { writeFileAtomic } from '../files/atomicWrite';
import type { ImageStore } from '../services/images';
import { openSavedImages, packImage } from './projectEdits';
import { packProject, unpackProject } from './projectFile';

/** Where the autosave lives in the user-data folder. */
export function autosavePath(userDataDir: string): string {
  return join(userDataDir, 'autosave', 'current.iirproj');
}

/** Saving, opening and recovering `.iirproj` documents over main's image store. */
export class ProjectService {
  constructor(
    private readonly images: ImageStore,
    private readonly userDataDir: string,
  ) {}

  /** Packs the document; writes the autosave, or answers the bytes for a download. */
  async save(request: RequestOf<'projects:save'>): Promise<{ bytes: Uint8Array | null; savedAt: string }> {
    const savedAt = new Date().toISOString();
    const original = this.images.info(request.originalId);
    if (original.width !== request.manifest.original.width || original.height !== request.manifest.original.height) {
      throw invalidArgument('the project does not match its original photo (another size)');
    }
    const byKey = new Map(request.images.map((image) => [image.key, image.id]));
    const keys = new Map<ImageId, string>([
      [request.originalId, 'original'],
      ...request.images.map((i) => [i.id, i.key] as const),
    ]);
    const files = new Map<string, Uint8Array>();
    const saved: ProjectManifest['images'] = [];
    for (const image of request.manifest.images) {
      const id = byKey.get(image.key);
      if (!id) throw invalidArgument(`the project has no pixels for image ${image.key}`);
      const packed = await packImage(this.images, id, image, keys);
      saved.push(packed.image);
      for (const [name, data] of packed.files) files.set(name, data);
    }
    const bytes = await packProject({
      manifest: { ...request.manifest, schemaVersion: projectSchemaVersion, images: saved, savedAt },
      original: await this.images.encoded(request.originalId),
      masks: request.masks,
      files,
    });
    if (request.destination === 'download') return { bytes, savedAt };
    await writeFileAtomic(autosavePath(this.userDataDir), bytes, { createFolders: true });
    return { bytes: null, savedAt };
  }

  /** Opens a project: the original and every image go into the store again, edits with their stored edit. */
  async open(bytes: Uint8Array): Promise<ProjectOpened> {
    const project = await unpackProject(bytes);
    const { manifest } = project;
    const original = await this.images.open({ bytes: project.original, name: manifest.original.name });
    if (original.width !== manifest.original.width || original.height !== manifest.original.height) {
      throw invalidArgument(
        `this project file is damaged (its photo is ${original.width}×${original.height}, not ${manifest.original.width}×${manifest.original.height})`,
      );
    }
    const images = await openSavedImages(this.images, manifest, project.need, {
      info: original,
      bytes: project.original,
    });
    return { original, images, masks: project.masks, manifest };
  }

  /** The autosave left behind, opened, or null when there is none. */
  async recover(): Promise<ProjectOpened | null> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(autosavePath(this.userDataDir)));
    } catch {
      return null;
    }
    return this.open(bytes);
  }

  async discardAutosave(): Promise<boolean> {
    try {
      await rm(autosavePath(this.userDataDir));
      return true;
    } catch {
      return false;
    }
  }
}
