import { computed, readonly, ref } from 'vue';
import { readPref, writePref } from './uiPrefs';

/** The theme the user chose: follow the OS, or always dark / light. */
export const themeChoices = ['system', 'dark', 'light'] as const;
/** One of {@link themeChoices}. */
export type ThemeChoice = (typeof themeChoices)[number];
/** The theme on screen. */
export type Theme = 'dark' | 'light';

const prefKey = 'theme';
const lightQuery = '(prefers-color-scheme: light)';

function isThemeChoice(value: unknown): value is ThemeChoice {
  return themeChoices.includes(value as ThemeChoice);
}

/** The theme on screen for `choice` when the OS prefers light (`prefersLight`) or not: dark unless asked for light. */
export function resolveTheme(choice: ThemeChoice, prefersLight: boolean): Theme {
  if (choice === 'system') return prefersLight ? 'light' : 'dark';
  return choice;
}

function createTheme() {
  const choice = ref<ThemeChoice>(readPref(prefKey, 'system', isThemeChoice));
  const media = typeof matchMedia === 'function' ? matchMedia(lightQuery) : null;
  const prefersLight = ref(media?.matches ?? false);
  media?.addEventListener('change', (event) => (prefersLight.value = event.matches));
  const theme = computed(() => resolveTheme(choice.value, prefersLight.value));

  // tokens.css reads data-theme; every colour follows from the root's color-scheme.
  function apply(): void {
    document.documentElement.dataset.theme = choice.value;
  }

  apply();
  return {
    choice: readonly(choice),
    /** The theme on screen: the canvas repaints its own chrome when it changes. */
    theme,
    set(next: ThemeChoice): void {
      choice.value = next;
      writePref(prefKey, next);
      apply();
    },
  };
}

let shared: ReturnType<typeof createTheme> | undefined;

/** The editor's theme (one per window), applied to the document root as soon as it is first asked for. */
export function useTheme(): ReturnType<typeof createTheme> {
  shared ??= createTheme();
  return shared;
}

/** Forgets the shared theme state (tests). */
export function disposeTheme(): void {
  shared = undefined;
}
