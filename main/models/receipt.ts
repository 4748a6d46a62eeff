import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { IirError } from '../../shared/errors';
import { writeFileAtomic } from '../files/atomicWrite';
import { modelIdSchema, modelRoles, relativePathSchema, type ModelRole } from './catalogSchema';

/** `model.json`: written last, so a folder with a receipt is a complete, verified install. */
export const receiptSchema = z.object({
  schema: z.literal(1),
  id: modelIdSchema,
  title: z.string(),
  role: z.enum(modelRoles),
  source: z.object({
    /** `derive`: made on this machine from another installed model (`derived` says how). */
    kind: z.enum(['download', 'import', 'derive']),
    repo: z.string().nullable(),
    revision: z.string().nullable(),
    /** Download: the hub endpoint used. Import: the folder it came from. */
    from: z.string().nullable(),
  }),
  license: z.object({ id: z.string(), name: z.string(), url: z.string() }).nullable(),
  /** Set when the model was linked in place: its files live there, not in the models folder. */
  location: z.string().nullable(),
  files: z.array(
    z.object({
      path: relativePathSchema,
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /**
       * What the SHA-256 was checked against when the file was downloaded: the catalog's pin or the hub's declared
       * hash. `none` (or absent: imported, or an older receipt) means nobody published one: the file is unverified.
       */
      checkedAgainst: z.enum(['catalog', 'hub', 'none']).optional(),
    }),
  ),
  installedAt: z.string(),
  /** A variant made from another installed model (int8: main/models/quantizeModel.ts; fp32: widenModel.ts). */
  derived: z
    .object({
      from: modelIdSchema,
      /** `int8-weight-only`: models quantize; `fp32-widen`: models widen. */
      method: z.enum(['int8-weight-only', 'fp32-widen']),
      /** The name and version of the tool that made it. */
      tool: z.string(),
      /** The source's files that were read, with their receipt's sizes and SHA-256s. */
      sources: z.array(z.object({ path: relativePathSchema, bytes: z.number().int(), sha256: z.string() })),
    })
    .optional(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const receiptName = 'model.json';

/** Files of a receipt whose bytes no published SHA-256 vouched for. */
export function unverifiedFiles(receipt: Receipt): string[] {
  return receipt.files.filter((f) => f.checkedAgainst !== 'catalog' && f.checkedAgainst !== 'hub').map((f) => f.path);
}

/** `verified` only when every file matched a published SHA-256 (the catalog's or the hub's). */
export function verification(receipt: Receipt): 'verified' | 'unverified' {
  return unverifiedFiles(receipt).length === 0 ? 'verified' : 'unverified';
}

/** The folder of model `id` under the models folder. */
export function modelDir(modelsDir: string, id: string): string {
  const parsed = modelIdSchema.safeParse(id);
  if (!parsed.success)
    throw new IirError('invalid_argument', `"${id}" is not a model id (${parsed.error.issues[0]?.message})`);
  return join(modelsDir, id);
}

/** Writes the receipt atomically (a unique temporary name, flushed, then renamed). */
export async function writeReceipt(dir: string, receipt: Receipt): Promise<void> {
  await writeFileAtomic(join(dir, receiptName), `${JSON.stringify(receipt, null, 2)}\n`);
}

/** The receipt in `dir`, or null when there is none; a damaged one is an error that names the file. */
export async function readReceipt(dir: string): Promise<Receipt | null> {
  let text: string;
  try {
    text = await readFile(join(dir, receiptName), 'utf8');
  } catch {
    return null;
  }
  let parsed;
  try {
    parsed = receiptSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success)
    throw new IirError(
      'io_error',
      `${join(dir, receiptName)} is damaged; remove the model and pull or import it again`,
    );
  return parsed.data;
}

export interface InstalledModel {
  id: string;
  /** Where its files are (the models folder entry, or the linked folder). */
  dir: string;
  receipt: Receipt;
}

/** Every installed model (a folder with a valid receipt), sorted by id. Damaged receipts are skipped. */
export async function listInstalled(modelsDir: string): Promise<InstalledModel[]> {
  let names: string[];
  try {
    names = await readdir(modelsDir);
  } catch {
    return [];
  }
  const out: InstalledModel[] = [];
  for (const name of names.sort()) {
    if (!modelIdSchema.safeParse(name).success) continue;
    const entry = join(modelsDir, name);
    const receipt = await readReceipt(entry).catch(() => null);
    if (receipt && receipt.id === name) out.push({ id: name, dir: receipt.location ?? entry, receipt });
  }
  return out;
}

function looksLikePath(value: string): boolean {
  return isAbsolute(value) || value.startsWith('.') || value.includes('/') || value.includes('\\');
}

/**
 * Finds a model for the engine: an installed id, or a folder path (`--sd ./my-sd15`). With `role`, an installed
 * model of another role is refused. Throws `model_missing` with the command that installs it.
 */
export async function resolveModel(
  modelsDir: string,
  idOrPath: string,
  role?: ModelRole,
): Promise<{ dir: string; receipt: Receipt | null }> {
  if (looksLikePath(idOrPath)) {
    const dir = resolve(idOrPath);
    const s = await stat(dir).catch(() => null);
    if (!s?.isDirectory()) throw new IirError('model_missing', `model folder ${dir} does not exist`);
    const receipt = await readReceipt(dir).catch(() => null);
    if (role && receipt && receipt.role !== role) {
      throw new IirError('invalid_argument', `${dir} holds a ${receipt.role} model, not ${role}`);
    }
    return { dir: receipt?.location ?? dir, receipt };
  }
  const entry = modelDir(modelsDir, idOrPath);
  const receipt = await readReceipt(entry);
  if (!receipt) {
    throw new IirError(
      'model_missing',
      `model "${idOrPath}" is not installed in ${modelsDir}; run: npm run iir -- models pull ${idOrPath}`,
    );
  }
  if (role && receipt.role !== role) {
    throw new IirError('invalid_argument', `model "${idOrPath}" is a ${receipt.role} model, not ${role}`);
  }
  return { dir: receipt.location ?? entry, receipt };
}
