import { ref } from 'vue';
import { readPref, writePref } from './uiPrefs';

const prefKey = 'collapsedSections';

function isFlags(value: unknown): value is Record<string, boolean> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((flag) => typeof flag === 'boolean')
  );
}

function createSections() {
  const collapsed = ref<Record<string, boolean>>(readPref(prefKey, {}, isFlags));
  return {
    isOpen(id: string): boolean {
      return collapsed.value[id] !== true;
    },
    /** Opens or closes section `id` and remembers it for the next start. */
    setOpen(id: string, isOpen: boolean): void {
      collapsed.value = { ...collapsed.value, [id]: !isOpen };
      writePref(prefKey, collapsed.value);
    },
  };
}

let shared: ReturnType<typeof createSections> | undefined;

/** Which side-panel sections are collapsed, remembered per section across starts. */
export function useSections(): ReturnType<typeof createSections> {
  shared ??= createSections();
  return shared;
}

/** Forgets the shared state (tests). */
export function disposeSections(): void {
  shared = undefined;
}
