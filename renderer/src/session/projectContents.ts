import type { ProjectOpened } from '../../../shared/api';
import { useMaskLayer } from '../composables/useMaskLayer';
import { fromManifest, missingModels, toManifest } from '../editing/projectMapping';
import { useDocumentStore } from '../stores/documentStore';
import { useEditStore } from '../stores/editStore';
import { useHistoryStore } from '../stores/historyStore';
import { useModelsStore } from '../stores/modelsStore';

/** What the user is told when an opened project needs models that are not installed. */
export function missingMessage(missing: readonly string[], downloadable: number): string | null {
  if (missing.length === 0) return null;
  const one = missing.length === 1;
  const what = `This project uses ${missing.join(', ')}, which ${one ? 'is' : 'are'} not installed`;
  if (downloadable === missing.length) return `${what}: download ${one ? 'it' : 'them'} to regenerate its results.`;
  return `${what}: import ${one ? 'it' : 'them'} from the Models sheet to regenerate its results.`;
}

/** What a project holds, both ways: the open document as a `projects:save` request, and a saved one put on screen. */
export function createProjectContents(session: {
  begin(info: ProjectOpened['original']): void;
  showBase(id: ProjectOpened['original']['id']): Promise<void>;
}) {
  const documentStore = useDocumentStore();
  const editStore = useEditStore();
  const historyStore = useHistoryStore();
  const modelsStore = useModelsStore();
  const layer = useMaskLayer();

  /** The open document as a save request, or null when there is nothing to save. */
  function request(destination: 'autosave' | 'download') {
    const original = documentStore.original;
    const base = documentStore.base;
    const masks = layer.masks.value;
    if (!original || !base || !masks) return null;
    const { manifest, images } = toManifest({
      original,
      baseId: base.id,
      results: editStore.results,
      history: historyStore.history,
      models: modelsStore.effectiveModels,
    });
    return { destination, originalId: original.id, images, masks, manifest };
  }

  /**
   * Puts a saved document on screen: photo, base, masks, results strip, history and model choice. Answers the models
   * it was made with that are not installed (empty when none).
   */
  function show(opened: ProjectOpened): string[] {
    const state = fromManifest(opened.manifest, opened.original, opened.images);
    documentStore.adopt(opened.original);
    session.begin(opened.original);
    layer.load(opened.masks.roi, opened.masks.protect);
    editStore.loadResults(state.results.map((r) => ({ ...r, seed: r.recipe.seed, prompt: r.recipe.prompt })));
    historyStore.load(state.history);
    void session.showBase(state.baseId);
    if (state.models) modelsStore.adoptChoice(state.models);
    return missingModels(opened.manifest, new Set(modelsStore.installed.map((model) => model.id)));
  }

  return { request, show };
}

export type ProjectContents = ReturnType<typeof createProjectContents>;

/** The models in `missing` that the catalog has, so they can be downloaded. */
export function downloadable(missing: readonly string[]): string[] {
  const modelsStore = useModelsStore();
  return missing.filter((id) => modelsStore.catalog.models.some((model) => model.id === id));
}
