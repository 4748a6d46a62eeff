import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import { IirError, invalidArgument } from '../../shared/errors';
import {
  catalogSchema,
  type Bundle,
  type Catalog,
  type CatalogModel,
  type License,
  type ModelRole,
  type RoleContract,
} from './catalogSchema';
import { readRegularFile } from '../files/readRegularFile';
import { fetchText } from './http';

/** The largest catalog file read from disk (the built-in one is about 30 KB). */
export const maxCatalogBytes = 8 * 1024 * 1024;

/** The catalog shipped with the app (`models/catalog.json` at the repository or app root). */
export function builtinCatalogPath(): string {
  return join(import.meta.dirname, '..', '..', 'models', 'catalog.json');
}

/** A path segment as an error may show it: indices and field names of the format, never other text of the file. */
function safeSegment(segment: PropertyKey, first: boolean): string {
  if (typeof segment === 'number') return `[${segment}]`;
  const name = typeof segment === 'string' && /^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(segment) ? segment : '…';
  return `${first ? '' : '.'}${name}`;
}

/**
 * One line naming the first bad field. Any file can be named as a catalog (a setting, `--catalog`), so the line
 * quotes nothing of the file: zod names unknown keys, so that message is replaced.
 */
function formatIssue(
  source: string,
  error: { issues: { code: string; path: PropertyKey[]; message: string }[] },
): string {
  const issue = error.issues[0];
  if (!issue) return `catalog ${source} is malformed`;
  const where = issue.path.map((p, i) => safeSegment(p, i === 0)).join('');
  const message = issue.code === 'unrecognized_keys' ? 'has fields the catalog format does not know' : issue.message;
  return `catalog ${source}: ${where || 'top level'}: ${message}`;
}

/** Validates a parsed catalog; a malformed one is one clear line naming the first bad field. */
export function parseCatalog(json: unknown, source: string): Catalog {
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) throw invalidArgument(formatIssue(source, parsed.error));
  const catalog = parsed.data;
  const ids = new Set<string>();
  for (const model of catalog.models) {
    if (ids.has(model.id)) throw invalidArgument(`catalog ${source}: model id "${model.id}" appears twice`);
    ids.add(model.id);
    const paths = new Set<string>();
    for (const file of model.files) {
      if (paths.has(file.path)) throw invalidArgument(`catalog ${source}: ${model.id} lists ${file.path} twice`);
      paths.add(file.path);
      if (file.path === 'model.json' || file.path.endsWith('.part') || file.path.endsWith('.bad')) {
        throw invalidArgument(`catalog ${source}: ${model.id}: ${file.path} is a reserved file name`);
      }
    }
  }
  return catalog;
}

/** Loads one catalog from a file path or an https URL (http only on loopback). */
export async function loadCatalog(ref: string, options: { dispatcher?: Dispatcher } = {}): Promise<Catalog> {
  let text: string;
  if (/^https?:\/\//i.test(ref)) {
    text = await fetchText(ref, options.dispatcher);
  } else {
    try {
      // The built-in catalog may sit in Electron's asar archive, which plain readFile reads and open() may not.
      text =
        ref === builtinCatalogPath()
          ? await readFile(ref, 'utf8')
          : new TextDecoder().decode(
              await readRegularFile(resolve(ref), {
                maxBytes: maxCatalogBytes,
                expected: 'a catalog file',
                name: `catalog ${ref}`,
              }),
            );
    } catch (error) {
      if (error instanceof IirError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new IirError(
        code === 'ENOENT' ? 'not_found' : 'io_error',
        `cannot read catalog ${ref} (${code ?? 'error'})`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, and the file may be anything (a key, a password file).
    throw invalidArgument(`catalog ${ref} is not valid JSON; a catalog is a JSON file like models/catalog.json`);
  }
  return parseCatalog(json, ref);
}

/** Later catalogs add models, bundles, licences and role contracts, and replace entries with the same id. */
export function mergeCatalogs(catalogs: Catalog[]): Catalog {
  const models = new Map<string, CatalogModel>();
  const bundles = new Map<string, Bundle>();
  const licenses = new Map<string, License>();
  const roles: Partial<Record<ModelRole, RoleContract>> = {};
  for (const catalog of catalogs) {
    for (const m of catalog.models) models.set(m.id, m);
    for (const b of catalog.bundles) bundles.set(b.id, b);
    for (const l of catalog.licenses) licenses.set(l.id, l);
    Object.assign(roles, catalog.roles);
  }
  return {
    licenses: [...licenses.values()],
    roles,
    models: [...models.values()],
    bundles: [...bundles.values()],
  };
}

/** The built-in catalog plus the extra ones (settings, then `--catalog`), merged. */
export async function loadCatalogs(
  extra: readonly string[] = [],
  options: { dispatcher?: Dispatcher; builtin?: string | null } = {},
): Promise<Catalog> {
  const refs = [...(options.builtin === null ? [] : [options.builtin ?? builtinCatalogPath()]), ...extra];
  const catalogs: Catalog[] = [];
  for (const ref of refs) catalogs.push(await loadCatalog(ref, options));
  return mergeCatalogs(catalogs);
}

/** The licence a model names; a catalog may name one it does not describe (then only its name is known). */
export function licenseOf(catalog: Catalog, model: CatalogModel): License {
  return (
    catalog.licenses.find((l) => l.id === model.license) ?? {
      id: model.license.toLowerCase().replace(/[^a-z0-9.-]+/g, '-'),
      name: model.license,
      url: model.source?.url ?? 'https://huggingface.co',
      summary: `Licensed under ${model.license}; read it at the model's source before use.`,
    }
  );
}

/** Expands model and bundle ids into catalog models, each once, in the order given. */
export function resolveTargets(catalog: Catalog, ids: readonly string[]): CatalogModel[] {
  const out = new Map<string, CatalogModel>();
  for (const id of ids) {
    const bundle = catalog.bundles.find((b) => b.id === id);
    const modelIds = bundle ? bundle.models : [id];
    for (const modelId of modelIds) {
      const model = catalog.models.find((m) => m.id === modelId);
      if (!model) {
        const known = [...catalog.models.map((m) => m.id), ...catalog.bundles.map((b) => b.id)].join(', ');
        throw new IirError(
          'not_found',
          bundle
            ? `bundle "${id}" names "${modelId}", which no catalog has`
            : `no model or bundle "${id}" in the catalog (known: ${known})`,
        );
      }
      out.set(model.id, model);
    }
  }
  return [...out.values()];
}

/** Sum of known file sizes, else the approximate size, of a model. */
export function modelBytes(model: CatalogModel): { bytes: number; exact: boolean } {
  const known = model.files.every((f) => f.bytes !== null);
  if (known) return { bytes: model.files.reduce((s, f) => s + (f.bytes ?? 0), 0), exact: true };
  return { bytes: model.approxBytes ?? model.files.reduce((s, f) => s + (f.bytes ?? 0), 0), exact: false };
}

/** Total size of a bundle (approximate when some file sizes are only known at download time). */
export function bundleBytes(catalog: Catalog, bundle: Bundle): { bytes: number; exact: boolean } {
  let bytes = 0;
  let exact = true;
  for (const model of resolveTargets(catalog, bundle.models)) {
    const size = modelBytes(model);
    bytes += size.bytes;
    exact &&= size.exact;
  }
  return { bytes, exact };
}

/** What can be downloaded, as the CLI and the Models sheet list it: each model (installed or not) and bundle. */
export function catalogListing(catalog: Catalog, installedIds: ReadonlySet<string>) {
  return {
    models: catalog.models.map((model) => ({
      id: model.id,
      title: model.title,
      role: model.role,
      license: licenseOf(catalog, model).name,
      bytes: modelBytes(model).bytes,
      installed: installedIds.has(model.id),
      ...(model.weights === 'fp16' ? { fp16: true } : {}),
    })),
    bundles: catalog.bundles.map((bundle) => ({
      id: bundle.id,
      title: bundle.title,
      models: [...bundle.models],
      bytes: bundleBytes(catalog, bundle).bytes,
    })),
  };
}
