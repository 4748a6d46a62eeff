import type { ImageId, ImageInfo, ModelChoice, ProjectManifest } from '../../../shared/api';
import type { DocumentHistory, HistoryStep, Recipe } from './documentHistory';
import { projectSchemaVersion } from '../../../shared/api/projects';

/** A result of the strip as the editor holds it. */
export interface StripResult {
  readonly id: ImageId;
  readonly generation: number;
  readonly recipe: Recipe;
}

/** The document as the editor holds it. */
export interface DocumentState {
  readonly original: ImageInfo;
  readonly baseId: ImageId;
  readonly results: readonly StripResult[];
  readonly history: DocumentHistory;
  /** The models the document uses (its model picker). */
  readonly models?: ModelChoice;
}

type SavedRecipe = NonNullable<ProjectManifest['images'][number]['recipe']>;

function toSaved(recipe: Recipe): SavedRecipe {
  return { ...recipe, models: [...recipe.models], params: { ...recipe.params } };
}

/** The manifest of a document and the image behind each of its keys (main adds their pixels). */
export function toManifest(state: DocumentState): {
  manifest: Omit<ProjectManifest, 'savedAt'>;
  images: { key: string; id: ImageId }[];
} {
  const keys = new Map<ImageId, string>([[state.original.id, 'original']]);
  const recipes = new Map<string, Recipe | null>();
  const keyOf = (id: ImageId, recipe: Recipe | null = null): string => {
    let key = keys.get(id);
    if (key === undefined) keys.set(id, (key = `r${keys.size}`));
    if (key !== 'original' && (recipe || !recipes.has(key))) recipes.set(key, recipe ?? recipes.get(key) ?? null);
    return key;
  };
  for (const result of state.results) keyOf(result.id, result.recipe);
  const entries = state.history.entries.map((entry) => {
    const step = entry.step;
    const saved: ProjectManifest['history']['entries'][number]['step'] =
      step.kind === 'generate'
        ? {
            kind: 'generate',
            results: step.resultIds.map((id) => keyOf(id, step.recipe)),
            recipe: toSaved(step.recipe),
          }
        : step.kind === 'keep'
          ? {
              kind: 'keep',
              result: keyOf(step.resultId, step.recipe),
              previous: keyOf(step.previousBaseId),
              recipe: step.recipe && toSaved(step.recipe),
            }
          : step.kind === 'mask'
            ? { kind: 'mask', label: step.label }
            : step;
    return { time: entry.time, base: keyOf(entry.baseId), step: saved };
  });
  const manifest = {
    schemaVersion: projectSchemaVersion,
    app: 'IIR Studio' as const,
    original: { name: state.original.name ?? 'photo', width: state.original.width, height: state.original.height },
    base: keyOf(state.baseId),
    images: [...recipes].map(([key, recipe]) => ({ key, recipe: recipe && toSaved(recipe) })),
    results: state.results.map((result) => ({ key: keyOf(result.id), generation: result.generation })),
    history: { entries, cursor: state.history.cursor },
    ...(state.models ? { models: { ...state.models } } : {}),
  };
  const images = [...keys].filter(([, key]) => key !== 'original').map(([id, key]) => ({ key, id }));
  return { manifest, images };
}

/** A saved document back in the editor's terms, with the ids main gave its images. */
export function fromManifest(
  manifest: ProjectManifest,
  original: ImageInfo,
  images: readonly { key: string; info: ImageInfo }[],
): DocumentState {
  const ids = new Map<string, ImageId>([['original', original.id], ...images.map((i) => [i.key, i.info.id] as const)]);
  const idOf = (key: string): ImageId => {
    const id = ids.get(key);
    if (!id) throw new Error(`the project names an image it does not hold (${key})`);
    return id;
  };
  const recipes = new Map(manifest.images.map((image) => [image.key, image.recipe]));
  const history: DocumentHistory = {
    entries: manifest.history.entries.map((entry, index) => {
      const step = entry.step;
      const restored: HistoryStep =
        step.kind === 'generate'
          ? { kind: 'generate', resultIds: step.results.map(idOf), recipe: step.recipe }
          : step.kind === 'keep'
            ? { kind: 'keep', resultId: idOf(step.result), previousBaseId: idOf(step.previous), recipe: step.recipe }
            : step.kind === 'mask'
              ? { kind: 'mask', label: step.label, fromFile: true }
              : step;
      return { id: index + 1, time: entry.time, baseId: idOf(entry.base), step: restored };
    }),
    cursor: manifest.history.cursor,
  };
  const results = manifest.results.flatMap((result) => {
    const recipe = recipes.get(result.key);
    return recipe ? [{ id: idOf(result.key), generation: result.generation, recipe }] : [];
  });
  return {
    original,
    baseId: idOf(manifest.base),
    results,
    history,
    ...(manifest.models ? { models: manifest.models } : {}),
  };
}

/** The models a saved document uses (its picker) or its recipes used that are not installed here. */
export function missingModels(manifest: ProjectManifest, installedIds: ReadonlySet<string>): string[] {
  const picked = Object.values(manifest.models ?? {}).filter((id): id is string => id !== undefined);
  const used = new Set([...picked, ...manifest.images.flatMap((image) => image.recipe?.models ?? [])]);
  return [...used].filter((id) => !installedIds.has(id)).sort();
}
