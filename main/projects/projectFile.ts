import sharp from 'sharp';
import {
  type ProjectManifest,
  projectFiles,
  projectManifestSchema,
  projectSchemaVersion,
} from '../../shared/api/projects';
import { invalidArgument } from '../../shared/errors';
import type { Mask } from '../../shared/image/types';
import { encodeGrayPng } from '../image/encode';
import { type ZipEntry, readZip, writeZip } from './zip';

/** Everything a `.iirproj` holds. */
export interface ProjectContents {
  readonly manifest: ProjectManifest;
  /** The original file's bytes, untouched. */
  readonly original: Uint8Array;
  readonly masks: { readonly roi: Mask; readonly protect: Mask };
  /**
   * Every file of `manifest.images` by its name in the zip: a PNG (schema 1, and images that are not edits), or an
   * edit's file and what rebuilds it (see `projectEdits.ts`).
   */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** A plain file name for the original inside the zip (the name the user knows, without folders). */
function originalName(name: string): string {
  const base = name.split(/[\\/]/).at(-1) ?? '';
  return base && base !== '.' && base !== '..' ? base : 'original';
}

/** The project as one zip: the manifest, the original as opened, the masks as gray PNG, every image's files. */
export async function packProject(contents: ProjectContents): Promise<Uint8Array> {
  const manifest = projectManifestSchema.parse(contents.manifest);
  for (const image of manifest.images) {
    if (!contents.files.has(image.file ?? projectFiles.image(image.key))) {
      throw invalidArgument(`the project has no pixels for image ${image.key}`);
    }
  }
  const json = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const entries: ZipEntry[] = [
    { name: projectFiles.manifest, data: json },
    { name: projectFiles.original(originalName(manifest.original.name)), data: contents.original },
    { name: projectFiles.roiMask, data: await encodeGrayPng(contents.masks.roi) },
    { name: projectFiles.protectMask, data: await encodeGrayPng(contents.masks.protect) },
    ...[...contents.files].map(([name, data]) => ({ name, data })),
  ];
  return writeZip(entries);
}

/** A gray PNG of `width`×`height` as a mask; `what` names it in the message when it is damaged. */
export async function decodeMask(png: Uint8Array, width: number, height: number, what: string): Promise<Mask> {
  const { data, info } = await sharp(png)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(() => {
      throw invalidArgument(`this project file is damaged (${what} is not a readable PNG)`);
    });
  if (info.width !== width || info.height !== height) {
    throw invalidArgument(
      `this project file is damaged (${what} is ${info.width}×${info.height}, not ${width}×${height})`,
    );
  }
  return { width, height, data: new Uint8Array(data) };
}

function readManifest(files: Map<string, Uint8Array>): ProjectManifest {
  const bytes = files.get(projectFiles.manifest);
  if (!bytes) throw invalidArgument('this is not an IIR Studio project (it has no project.json)');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidArgument('this project file is damaged (project.json is not JSON)');
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > projectSchemaVersion) {
    throw invalidArgument(
      `this project was saved by a newer IIR Studio (format ${version}; this one reads up to ${projectSchemaVersion}): update the app to open it`,
    );
  }
  const parsed = projectManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidArgument(
      `this project file is damaged (project.json: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''})`,
    );
  }
  return parsed.data;
}

/**
 * Reads a `.iirproj` (schema 1 or 2): checks the manifest, the original and the masks; `need` answers any other file,
 * refusing one that is missing.
 */
export async function unpackProject(bytes: Uint8Array): Promise<{
  manifest: ProjectManifest;
  original: Uint8Array;
  masks: ProjectContents['masks'];
  need: (name: string) => Uint8Array;
}> {
  const files = readZip(bytes);
  const manifest = readManifest(files);
  const need = (name: string): Uint8Array => {
    const data = files.get(name);
    if (!data) throw invalidArgument(`this project file is damaged (${name} is missing)`);
    return data;
  };
  const { width, height } = manifest.original;
  const original = need(projectFiles.original(originalName(manifest.original.name)));
  const roi = await decodeMask(need(projectFiles.roiMask), width, height, projectFiles.roiMask);
  const protect = await decodeMask(need(projectFiles.protectMask), width, height, projectFiles.protectMask);
  for (const image of manifest.images) need(image.file ?? projectFiles.image(image.key));
  return { manifest, original, masks: { roi, protect }, need };
}
