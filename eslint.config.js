// @ts-check
import js from '@eslint/js';
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

import { relative, resolve, dirname, sep } from 'node:path';

/**
 * What each layer may import (../shared/design/style.md, "Layers"), as allow-lists: folders for relative imports,
 * packages for bare ones (a Node built-in is a package too). main/ may import any package, never renderer/ or
 * preload/. TS project references enforce the folders as well.
 */
const layers = {
  shared: { folders: ['shared'], packages: ['zod'], says: 'shared/ may import only shared/ and zod' },
  renderer: {
    folders: ['renderer', 'shared'],
    packages: ['vue', 'pinia'],
    says: 'renderer/ may import only renderer/, shared/, vue and pinia',
  },
  preload: {
    folders: ['preload', 'shared/api'],
    packages: ['electron'],
    electronNames: ['contextBridge', 'ipcRenderer', 'webUtils', 'IpcRendererEvent'],
    says: 'preload/ may import only electron’s renderer API (contextBridge, ipcRenderer, webUtils) and shared/api',
  },
  main: { folders: ['main', 'shared'], packages: null, says: 'main/ may import shared/ and packages, never renderer/' },
};

/** The layer a file belongs to, by its first folder under the repository root. */
function layerOf(filename) {
  const first = relative(import.meta.dirname, filename).split(sep)[0];
  return Object.hasOwn(layers, first) ? layers[first] : undefined;
}

/** The one reason `source` (imported by `filename`) is outside its layer's allow-list, or null. */
function forbidden(layer, filename, source, node) {
  if (source.startsWith('.')) {
    const target = relative(import.meta.dirname, resolve(dirname(filename), source))
      .split(sep)
      .join('/');
    return layer.folders.some((folder) => target === folder || target.startsWith(`${folder}/`)) ? null : target;
  }
  if (layer.packages === null) return null;
  const name = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
  if (!layer.packages.includes(name)) return source;
  if (name === 'electron' && layer.electronNames) {
    if (source !== 'electron') return source;
    const specifiers = node.specifiers ?? [];
    const names = specifiers.map((s) => (s.type === 'ImportSpecifier' ? s.imported.name : '*'));
    const wrong = names.find((n) => !layer.electronNames.includes(n));
    if (wrong !== undefined || specifiers.length === 0) return `electron (${wrong ?? 'the whole module'})`;
  }
  return null;
}

/** `layers/allowed-imports`: every import, re-export, dynamic import and import type checked against its layer. */
const allowedImports = {
  meta: { type: 'problem', schema: [], messages: { outside: '{{what}} is outside this layer: {{says}}.' } },
  create(context) {
    const layer = layerOf(context.filename);
    if (!layer) return {};
    const check = (node, literal) => {
      if (typeof literal?.value !== 'string') return;
      const what = forbidden(layer, context.filename, literal.value, node);
      if (what !== null) context.report({ node, messageId: 'outside', data: { what, says: layer.says } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument),
      TSExternalModuleReference: (node) => check(node, node.expression),
    };
  },
};

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
    files: ['shared/**', 'renderer/**', 'preload/**', 'main/**'],
    plugins: { layers: { rules: { 'allowed-imports': allowedImports } } },
    rules: { 'layers/allowed-imports': 'error' },
  },
  {
    // Size limits (../shared/design/style.md): every line counts, comments and blank lines too. Generated code lives
    // only in the build outputs ignored above, and test/ is not limited.
    files: ['main/**', 'shared/**', 'renderer/**', 'preload/**'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
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
