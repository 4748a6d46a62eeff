/**
 * `models:quantize` in the app (ModelService): a refusal answers the request itself; a started variant reports
 * `quantizing` under the variant's id and ends with `done`, after which the installed list labels it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelService } from '../../../main/services/models';
import { type ModelProgress, defaultSettings } from '../../../shared/api';
import { FIXTURE_FOLDERS as F, ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';

let modelsDir: string;

beforeAll(async () => {
  modelsDir = await mkdtemp(join(cacheDir, 'quantize-service-'));
  await cp(join(ensureFixtures(), F.controlnetIir), join(modelsDir, F.controlnetIir), { recursive: true });
});

afterAll(() => rm(modelsDir, { recursive: true, force: true }));

describe("the Models sheet's int8 action (ModelService)", () => {
  it('refuses at once, then makes the variant with progress events, and lists it as a variant', async () => {
    const events: ModelProgress[] = [];
    const settings = { ...defaultSettings, modelsDir };
    const service = new ModelService(
      () => settings,
      (event) => events.push(event),
      () => undefined,
      {},
    );
    await expect(service.quantize('nothing-here')).rejects.toThrow('model "nothing-here" is not installed');
    expect(events).toEqual([]);
    expect(await service.quantize(F.controlnetIir)).toEqual({ started: `${F.controlnetIir}-int8` });
    await expect.poll(() => events.at(-1)?.state, { timeout: 20_000 }).toBe('done');
    expect(events.every((e) => e.modelId === `${F.controlnetIir}-int8`)).toBe(true);
    expect(events[0]!.state).toBe('quantizing');
    const { models } = await service.installed();
    expect(models.find((m) => m.id === `${F.controlnetIir}-int8`)).toMatchObject({
      role: 'controlnet-iir',
      int8Of: F.controlnetIir,
    });
    expect(models.find((m) => m.id === F.controlnetIir)?.int8Of).toBeUndefined();
  });
});
