// @ts-check
import js from '@eslint/js';
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

/** Imports each layer may not make (../shared/design/style.md, "Layers"). TS project references enforce it too. */
const nodeAndElectron = [
  { group: ['node:*'], message: 'This layer runs without Node: keep node:* in main/.' },
  { group: ['electron', 'electron/*'], message: 'Only main/ and preload/ may use electron.' },
];
const notMain = [{ group: ['**/main/**', '**/preload/**'], message: 'Talk to main through the typed API.' }];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', '.cache/', '.tsbuild/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // TypeScript checks undefined names in .vue files (typescript-eslint turns no-undef off only for .ts).
      'no-undef': 'off',
      // Prettier owns template layout; these stylistic rules only contradict it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeAndElectron,
            ...notMain,
            { group: ['vue', 'pinia'], message: 'shared/ is framework-free.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...nodeAndElectron, ...notMain] }] },
  },
  {
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**', '**/renderer/**'], message: 'preload/ may import shared/ only.' }] },
      ],
    },
  },
  {
    // One registrar and one emitter (main/ipc) are the only code that touches raw IPC.
    files: ['main/**'],
    ignores: ['main/ipc/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'Register handlers in main/ipc only.' }] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='ipcMain']", message: 'Register handlers in main/ipc only.' },
        {
          selector: "CallExpression[callee.property.name='send'][callee.object.property.name='webContents']",
          message: 'Emit events through main/ipc only.',
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
