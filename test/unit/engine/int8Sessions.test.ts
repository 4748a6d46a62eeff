/**
 * Sessions of an int8 variant's graphs run without ONNX Runtime's CPU arena (their per-run fp32 copies of the Conv
 * weights grew it by gigabytes); other graphs keep the memory plan's choice. The graph is told apart by its
 * DequantizeLinear nodes, as the engine reads them from the file.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphInventory } from '../../../main/engine/modelFiles';
import { usesCpuArena } from '../../../main/engine/sessions';
import { makeInt8Variant } from '../../../main/models/quantizeModel';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

let models: string;

beforeAll(async () => {
  models = await mkdtemp(join(cacheDir, 'int8-sessions-'));
  await cp(join(ensureFixtures(), F.controlnetCanny), join(models, F.controlnetCanny), { recursive: true });
  await makeInt8Variant({ modelsDir: models, id: F.controlnetCanny });
});

afterAll(() => rm(models, { recursive: true, force: true }));

describe('the CPU arena of an int8 variant', () => {
  it('is off for the int8 graph and as planned for the fp32 one', async () => {
    const int8 = await graphInventory(join(models, `${F.controlnetCanny}-int8`, 'model.onnx'));
    const fp32 = await graphInventory(join(models, F.controlnetCanny, 'model.onnx'));
    expect(int8.opTypes).toContain('DequantizeLinear');
    expect(fp32.opTypes).not.toContain('DequantizeLinear');
    expect(usesCpuArena({}, false)).toBe(true);
    expect(usesCpuArena({}, true)).toBe(false);
    expect(usesCpuArena({ lowMemory: true }, false)).toBe(false);
    expect(usesCpuArena({ cpuArena: false }, false)).toBe(false);
  });
});
