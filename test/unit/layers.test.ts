import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';

// The layer fences are allow-lists (eslint.config.js, `layers/allowed-imports`). Each forbidden import is planted
// in a scratch file of its layer (linted from memory, nothing is written) and must be reported by that rule; the
// allowed imports beside them must not be, so a rule that refused everything would fail too.

let eslint: ESLint;

beforeAll(() => {
  // The project's config, without type-aware parsing: the fence needs no types and a scratch file is in no project.
  eslint = new ESLint({ cwd: repoRoot, overrideConfig: tseslint.configs.disableTypeChecked });
});

async function fenceErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: `${repoRoot}/${file}` });
  const fatal = result!.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file}: ${fatal.message}`);
  return result!.messages.filter((m) => m.ruleId === 'layers/allowed-imports').map((m) => m.message);
}

const plants: Record<string, { allowed: string[]; forbidden: string[] }> = {
  'shared/api/scratch.ts': {
    allowed: ["import { z } from 'zod';", "import { imageIdSchema } from './ids';", "export * from '../image/mask';"],
    forbidden: [
      "import sharp from 'sharp';",
      "import ort from 'onnxruntime-node';",
      "import { join } from 'path';",
      "import { readFileSync } from 'node:fs';",
      "import { ref } from 'vue';",
      "import { userDataDir } from '../../main/paths';",
      "export * from '../../renderer/src/stores/editStore';",
      "type Tensor = import('onnxruntime-node').Tensor;",
    ],
  },
  'renderer/src/scratch.ts': {
    allowed: [
      "import { ref } from 'vue';",
      "import { defineStore } from 'pinia';",
      "import { editParams } from '../../shared/api';",
      "import { api } from './api/client';",
    ],
    forbidden: [
      "import { ipcRenderer } from 'electron';",
      "import fs from 'node:fs';",
      "import sharp from 'sharp';",
      "import { z } from 'zod';",
      "import { userDataDir } from '../../main/paths';",
      "import '../../preload/index';",
      "const path = await import('path');",
    ],
  },
  'preload/scratch.ts': {
    allowed: [
      "import { contextBridge, ipcRenderer } from 'electron';",
      "import { channelNames } from '../shared/api';",
    ],
    forbidden: [
      "import { app } from 'electron';",
      "import electron from 'electron';",
      "import { ipcRenderer } from 'electron/renderer';",
      "import { userDataDir } from '../main/paths';",
      "import { createMask } from '../shared/image/types';",
      "import fs from 'node:fs';",
      "import { z } from 'zod';",
    ],
  },
  'main/scratch.ts': {
    allowed: [
      "import sharp from 'sharp';",
      "import { join } from 'node:path';",
      "import { editParams } from '../shared/api';",
    ],
    forbidden: ["import { useEditStore } from '../renderer/src/stores/editStore';", "import '../preload/index';"],
  },
};

describe('layer fences', () => {
  for (const [file, { allowed, forbidden }] of Object.entries(plants)) {
    it(`${file.split('/')[0]}/ refuses each import outside its allow-list and takes the ones inside`, async () => {
      expect(await fenceErrors(file, allowed.join('\n'))).toEqual([]);
      for (const line of forbidden) {
        const errors = await fenceErrors(file, line);
        expect(errors, line).toHaveLength(1);
        expect(errors[0], line).toMatch(/is outside this layer/);
      }
    });
  }
});
