import { type Ref, computed } from 'vue';
import type { EngineKind, ModelChoiceRole, ResponseOf } from '../../../../shared/api';

type Catalog = ResponseOf<'models:catalog'>;
type Installed = ResponseOf<'models:installed'>['models'];

/** Roles an edit needs (one ControlNet of either kind) and roles finding by text needs. */
export const editRoles = ['sd15'] as const;
export const findRoles = ['grounding', 'sam'] as const;

/** Which receipt roles each choosable kind takes, in the order main picks the first installed one by default. */
export const choiceRoles: Readonly<Record<ModelChoiceRole, readonly string[]>> = {
  sd15: ['sd15', 'lcm'],
  controlnet: ['controlnet-iir', 'controlnet-canny'],
  grounding: ['grounding'],
  sam: ['sam'],
};

/** A catalog entry still to download, in the user's words. */
export interface MissingModel {
  readonly role: string;
  readonly title: string;
  readonly bytes: number;
  readonly id: string | null;
}

/**
 * What the installed models allow: the engine an edit runs on (from the ControlNet it uses), and the catalog entries
 * still to download before an edit or a search can run. `controlnetId`: the ControlNet the document uses.
 */
export function createModelNeeds(
  catalog: Ref<Catalog>,
  installed: Ref<Installed>,
  isLoaded: Ref<boolean>,
  controlnetId: () => string | null,
) {
  const installedRoles = computed(() => new Set(installed.value.map((model) => model.role)));
  /** Which engine an edit runs on, from the ControlNet it uses ('none' before one is installed). */
  const engine = computed<EngineKind | 'none'>(() => {
    const role = installed.value.find((model) => model.id === controlnetId())?.role;
    return role === 'controlnet-iir' ? 'iir-trained' : role === 'controlnet-canny' ? 'iir-training-free' : 'none';
  });
  const controlChannels = computed<3 | 4>(() => (engine.value === 'iir-training-free' ? 3 : 4));

  /** The ControlNet to offer: the IIR-trained one when the catalog has it, else the stock Canny one. */
  function offeredControlNet(): string {
    return catalog.value.models.some((model) => model.role === 'controlnet-iir')
      ? 'controlnet-iir'
      : 'controlnet-canny';
  }

  function missing(roles: (string | null)[]): MissingModel[] {
    return roles
      .filter((role): role is string => role !== null && !installedRoles.value.has(role))
      .map((role) => {
        const entry = catalog.value.models.find((model) => model.role === role);
        return { role, title: entry?.title ?? role, bytes: entry?.bytes ?? 0, id: entry?.id ?? null };
      });
  }

  /** Catalog entries still to download before an edit can run. */
  const missingForEdit = computed(() => missing([...editRoles, engine.value === 'none' ? offeredControlNet() : null]));
  /** Catalog entries still to download before finding by text can run. */
  const missingForFind = computed(() => missing([...findRoles]));
  const canEdit = computed(() => isLoaded.value && missingForEdit.value.length === 0);
  const canFind = computed(() => isLoaded.value && missingForFind.value.length === 0);
  return { engine, controlChannels, missingForEdit, missingForFind, canEdit, canFind };
}
