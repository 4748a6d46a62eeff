/**
 * Fusing after a pull: a completed SD1.5 (residual UNet) × split ControlNet pair is fused at once, without copying
 * weights; a pair already fused and current is left alone; a pull that completes no pair fuses nothing.
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseAfterPull } from '../../../main/models/autoFuse';
import { currentFusedGraph } from '../../../main/models/fuse';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

let models: string;

beforeAll(async () => {
  const fixtures = ensureFixtures();
  models = await mkdtemp(join(cacheDir, 'autofuse-'));
  await cp(join(fixtures, F.sd15External), join(models, F.sd15External), { recursive: true });
});

afterAll(() => rm(models, { recursive: true, force: true }));

describe('fuse after pull', () => {
  it('fuses nothing while the pair is incomplete, then fuses it when the ControlNet arrives', async () => {
    expect(await fuseAfterPull(models, F.sd15External)).toEqual({ fused: [], failed: [] });
    await cp(join(ensureFixtures(), F.controlnetIir), join(models, F.controlnetIir), { recursive: true });
    const result = await fuseAfterPull(models, F.controlnetIir);
    const expected = join(models, `${F.sd15External}+${F.controlnetIir}.fused.onnx`);
    expect(result).toEqual({ fused: [expected], failed: [] });
    expect(await currentFusedGraph(join(models, F.sd15External), join(models, F.controlnetIir))).toBe(expected);
    // one graph: far smaller than the weights it points at
    expect((await stat(expected)).size).toBeLessThan((await stat(join(models, F.controlnetIir, 'model.onnx'))).size);
  });

  it('leaves a current fused graph alone', async () => {
    const before = await readdir(models);
    expect(await fuseAfterPull(models, F.sd15External)).toEqual({ fused: [], failed: [] });
    expect(await readdir(models)).toEqual(before);
  });
});
