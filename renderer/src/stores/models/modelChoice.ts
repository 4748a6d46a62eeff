import { type Ref, computed, ref } from 'vue';
import { type ModelChoice, type ModelChoiceRole, type ResponseOf, modelChoiceRoles } from '../../../../shared/api';
import { choiceRoles } from './modelNeeds';

type Installed = ResponseOf<'models:installed'>['models'];

/**
 * Which installed SD1.5, ControlNet, GroundingDINO and SAM the open document uses. Each document keeps its own choice
 * (a project brings its own back); a new document starts from the last choice the user made, which `remember` keeps
 * in the settings. A kind not chosen, or whose choice is no longer installed, uses the first installed one, as main
 * does by default.
 */
export function createModelChoice(installed: Ref<Installed>, remember: (choice: ModelChoice) => Promise<void>) {
  const chosen = ref<ModelChoice>({});

  /** The installed models of one kind, in main's default order. */
  function optionsFor(role: ModelChoiceRole): Installed {
    return choiceRoles[role].flatMap((receiptRole) => installed.value.filter((model) => model.role === receiptRole));
  }

  /** The model each kind uses now (null: none installed). */
  const effective = computed(() => {
    const out: Partial<Record<ModelChoiceRole, string>> = {};
    for (const role of modelChoiceRoles) {
      const options = optionsFor(role);
      const id = chosen.value[role];
      const model = options.find((option) => option.id === id) ?? options[0];
      if (model) out[role] = model.id;
    }
    return out;
  });

  /** The kinds with more than one installed model: those the user picks from. */
  const choosable = computed(() => modelChoiceRoles.filter((role) => optionsFor(role).length > 1));

  return {
    modelChoice: chosen,
    effectiveModels: effective,
    choosableRoles: choosable,
    optionsFor,
    /** The user picked `id` for this document; remembered for the next one. */
    async choose(role: ModelChoiceRole, id: string): Promise<void> {
      chosen.value = { ...chosen.value, [role]: id };
      await remember(chosen.value);
    },
    /** A document's choice: a project's saved one, or the last one the user made. */
    adoptChoice(choice: ModelChoice): void {
      chosen.value = { ...choice };
    },
    /** `edit:start`'s model ids (and the recipe's), as the edit will run. */
    editModels(): { sd?: string; controlnet?: string } {
      const { sd15, controlnet } = effective.value;
      return { ...(sd15 ? { sd: sd15 } : {}), ...(controlnet ? { controlnet } : {}) };
    },
    /** `segment:start`'s model ids. */
    segmentModels(): { grounding?: string; sam?: string } {
      const { grounding, sam } = effective.value;
      return { ...(grounding ? { grounding } : {}), ...(sam ? { sam } : {}) };
    },
  };
}
