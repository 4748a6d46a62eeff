import { defineStore } from 'pinia';
import { ref } from 'vue';
import { type SettingsPatch, type VisibleSettings, defaultSettings, visibleSettings } from '../../../shared/api';
import { api } from '../api/client';
import { describeError } from '../editing/errorMessages';

/** The user's settings as main holds them. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<VisibleSettings>(visibleSettings(defaultSettings));
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      settings.value = await api().settings.get({});
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  async function update(patch: SettingsPatch): Promise<void> {
    try {
      settings.value = await api().settings.set(patch);
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught).text;
    }
  }

  return { settings, error, load, update };
});
