import { computed, ref } from 'vue';

/**
 * Whether the work changed since it was last saved: a version bumped on every change and the version at the last
 * save (or open). `hasWork` says whether there is anything worth saving at all.
 */
export function createSaveTracking(hasWork: () => boolean) {
  const version = ref(0);
  const savedVersion = ref(0);
  /** True when there is work that was not saved. */
  const isDirty = computed(() => version.value !== savedVersion.value && hasWork());
  function changed(): void {
    version.value++;
  }
  function markSaved(): void {
    savedVersion.value = version.value;
  }
  return { version, isDirty, changed, markSaved };
}
