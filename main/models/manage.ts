import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, readdir, realpath, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { IirError, invalidArgument } from '../../shared/errors';
import { modelRoles, type Catalog, type ModelRole, type RoleContract } from './catalogSchema';
import { checkContract, listFolder } from './contract';
import { acquireLock } from './lock';
import { listInstalled, modelDir, readReceipt, receiptName, writeReceipt, type Receipt } from './receipt';

/** SHA-256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function contractFor(catalog: Catalog, role: ModelRole): RoleContract {
  const contract = catalog.roles[role];
  if (!contract) throw invalidArgument(`the catalog has no contract for role ${role}`);
  return contract;
}

// LCM before sd15 (an LCM folder also satisfies sd15), IIR before Canny (they differ only in channels).
const guessOrder: readonly ModelRole[] = [
  'lcm',
  'sd15',
  'controlnet-iir',
  'controlnet-canny',
  'grounding',
  'sam',
  'tokenizer',
  'lpips',
  'clip',
  'dino',
];

/** The role a folder satisfies: its receipt's, or the first contract it passes. */
async function detectRole(dir: string, catalog: Catalog): Promise<ModelRole> {
  const receipt = await readReceipt(dir).catch(() => null);
  if (receipt) return receipt.role;
  const reasons: string[] = [];
  for (const role of guessOrder) {
    const contract = catalog.roles[role];
    if (!contract) continue;
    try {
      await checkContract(dir, contract, role);
      return role;
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  throw invalidArgument(
    `cannot tell what ${dir} is; pass --role (${modelRoles.join('|')}). First check: ${reasons[0]}`,
  );
}

export type ImportMode = 'copy' | 'move' | 'link';

export interface ImportOptions {
  modelsDir: string;
  source: string;
  id: string;
  role?: ModelRole;
  mode: ImportMode;
  catalog: Catalog;
}

/**
 * Imports a local model folder after checking it against its role's contract. `copy` leaves the source alone,
 * `move` takes it over, `link` records it where it is (no second copy; the files stay the user's).
 */
export async function importModel(options: ImportOptions): Promise<Receipt> {
  const target = modelDir(options.modelsDir, options.id);
  const sourceStat = await stat(options.source).catch(() => null);
  if (!sourceStat?.isDirectory()) throw new IirError('not_found', `${options.source} is not a folder`);
  const source = await realpath(options.source);
  if (await lstat(target).catch(() => null)) {
    throw invalidArgument(`${target} already exists; remove model "${options.id}" first (models rm ${options.id})`);
  }
  const role = options.role ?? (await detectRole(source, options.catalog));
  await checkContract(source, contractFor(options.catalog, role), `${options.id} (${role})`);
  const { files } = await listFolder(source);
  const kept = files.filter(
    (f) => f !== receiptName && !f.endsWith('.part') && !f.endsWith('.part.json') && !f.endsWith('.bad'),
  );
  const entries: Receipt['files'] = [];
  for (const path of kept) {
    const full = join(source, path);
    entries.push({ path, bytes: (await stat(full)).size, sha256: await hashFile(full) });
  }
  const receipt: Receipt = {
    schema: 1,
    id: options.id,
    title: (await readReceipt(source).catch(() => null))?.title ?? `${options.id} (imported)`,
    role,
    source: { kind: 'import', repo: null, revision: null, from: source },
    license: null,
    location: options.mode === 'link' ? source : null,
    files: entries,
    installedAt: new Date().toISOString(),
  };
  await mkdir(options.modelsDir, { recursive: true });
  const staging = join(options.modelsDir, `.import-${options.id}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    if (options.mode === 'link') await mkdir(staging);
    else if (options.mode === 'move') {
      try {
        await rename(source, staging);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await copyFiles(source, staging, kept);
        await rm(source, { recursive: true });
      }
    } else await copyFiles(source, staging, kept);
    await writeReceipt(staging, receipt);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (error instanceof IirError) throw error;
    throw new IirError(
      'io_error',
      `import of ${source} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return receipt;
}

async function copyFiles(from: string, to: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(join(to, path, '..'), { recursive: true });
    await cp(join(from, path), join(to, path), { errorOnExist: true, force: false });
  }
}

export interface VerifyResult {
  id: string;
  ok: boolean;
  /** Files that are missing or whose size or hash differs from the receipt. */
  problems: string[];
}

/** Re-hashes an installed model's files against its receipt. */
export async function verifyModel(modelsDir: string, id: string): Promise<VerifyResult> {
  const entry = modelDir(modelsDir, id);
  const receipt = await readReceipt(entry);
  if (!receipt) throw new IirError('model_missing', `model "${id}" is not installed in ${modelsDir}`);
  const dir = receipt.location ?? entry;
  const problems: string[] = [];
  for (const file of receipt.files) {
    const full = join(dir, file.path);
    const s = await lstat(full).catch(() => null);
    if (!s?.isFile()) {
      problems.push(`${file.path}: missing`);
      continue;
    }
    if (s.size !== file.bytes) {
      problems.push(`${file.path}: size ${s.size}, expected ${file.bytes}`);
      continue;
    }
    const digest = await hashFile(full);
    if (digest !== file.sha256) problems.push(`${file.path}: SHA-256 ${digest}, expected ${file.sha256}`);
  }
  return { id, ok: problems.length === 0, problems };
}

/**
 * Files a download leaves before its receipt: partial files, their metadata, the pull state and lock, bad copies
 * (and their temporary names).
 */
function isDownloadLeftover(fileName: string): boolean {
  // `.<name>.<pid>.<hex>.tmp` (the atomic-write helper) or `<name>.tmp`.
  const name = /^\.(.+)\.\d+\.[0-9a-f]+\.tmp$/.exec(fileName)?.[1] ?? fileName.replace(/\.tmp$/, '');
  return (
    name === '.pull-state.json' ||
    name.startsWith('.pull.lock') ||
    name.endsWith('.part') ||
    name.endsWith('.part.json') ||
    name.endsWith('.bad')
  );
}

/** True when every file under `dir` is a download leftover (an interrupted first pull). */
async function holdsOnlyLeftovers(dir: string): Promise<boolean> {
  const { files, links } = await listFolder(dir);
  return links.length === 0 && files.length > 0 && files.every((path) => isDownloadLeftover(path.split('/').pop()!));
}

/**
 * Refuses, by name, any folder this app did not install: only a real folder directly inside the models folder that
 * holds this app's receipt for that id (or nothing but an interrupted download's leftovers) may be deleted.
 */
async function checkRemovable(modelsDir: string, id: string, entry: string): Promise<void> {
  const s = await lstat(entry).catch(() => null);
  if (!s) throw new IirError('not_found', `no model "${id}" in ${modelsDir}`);
  const refuse = (why: string) =>
    invalidArgument(`refusing to remove ${entry}: ${why}; only models this app installed can be removed`);
  if (s.isSymbolicLink() || !s.isDirectory()) throw refuse('it is not a model folder');
  const receipt = await readReceipt(entry).catch(() => {
    throw refuse(`its ${receiptName} is not an IIR Studio install receipt (delete the folder yourself if it is one)`);
  });
  if (receipt) {
    if (receipt.id !== id) throw refuse(`its receipt is for "${receipt.id}"`);
    return;
  }
  if (!(await holdsOnlyLeftovers(entry).catch(() => false))) throw refuse('it holds no IIR Studio install receipt');
}

/**
 * Removes a model: its folder with any `.part` leftovers (a linked model: only the record, never the user's files).
 * Only folders this app installed are removed ({@link checkRemovable}); refused while a pull of it runs.
 */
export async function removeModel(modelsDir: string, id: string): Promise<{ removedBytes: number }> {
  const entry = modelDir(modelsDir, id);
  await checkRemovable(modelsDir, id, entry);
  const release = await acquireLock(join(entry, '.pull.lock'), `model "${id}"`);
  let removedBytes: number;
  try {
    removedBytes = (await folderUsage(entry)).total;
  } finally {
    await release();
  }
  // Rename first so a half-finished removal never looks like an installed model.
  const doomed = join(modelsDir, `.removing-${id}-${process.pid}`);
  await rename(entry, doomed);
  await rm(doomed, { recursive: true, force: true });
  return { removedBytes };
}

/** Bytes of the files under `dir` (the lock left out), and of those its `.part` and `.bad` files. */
export async function folderUsage(dir: string): Promise<{ total: number; partial: number }> {
  let total = 0;
  let partial = 0;
  const walk = async (current: string): Promise<void> => {
    for (const e of await readdir(current, { withFileTypes: true })) {
      const full = join(current, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name !== '.pull.lock') {
        const size = (await lstat(full)).size;
        total += size;
        if (e.name.endsWith('.part') || e.name.endsWith('.bad')) partial += size;
      }
    }
  };
  await walk(dir).catch(() => undefined);
  return { total, partial };
}

export interface DiskUsage {
  folder: string;
  models: { id: string; bytes: number; partialBytes: number; linked: boolean; installed: boolean }[];
  /** Bytes of `.part` and `.bad` files kept for resuming or inspection. */
  partialBytes: number;
  totalBytes: number;
  freeBytes: number | null;
}

/** Disk use per model folder (installed or partially downloaded) and in total, plus free space. */
export async function diskUsage(modelsDir: string): Promise<DiskUsage> {
  const installed = new Map((await listInstalled(modelsDir)).map((m) => [m.id, m]));
  const names = await readdir(modelsDir).catch(() => [] as string[]);
  const models: DiskUsage['models'] = [];
  let partialBytes = 0;
  let totalBytes = 0;
  for (const name of names.sort()) {
    const full = join(modelsDir, name);
    if (name.startsWith('.') || !(await lstat(full)).isDirectory()) continue;
    const usage = await folderUsage(full);
    const model = installed.get(name);
    // A linked model's files are the user's own folder: report them, but they take no space in the models folder.
    const bytes = model?.receipt.location ? model.receipt.files.reduce((s, f) => s + f.bytes, 0) : usage.total;
    const linked = Boolean(model?.receipt.location);
    models.push({ id: name, bytes, partialBytes: usage.partial, linked, installed: Boolean(model) });
    partialBytes += usage.partial;
    totalBytes += usage.total;
  }
  const free = await statfs(modelsDir).catch(() => null);
  return { folder: modelsDir, models, partialBytes, totalBytes, freeBytes: free ? free.bavail * free.bsize : null };
}
