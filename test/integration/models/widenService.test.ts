/**
 * `models:widen` in the app (ModelService): the installed list marks fp16 models (and only those), a refusal
 * answers the request itself, a started variant reports under the variant's id and ends with `done`, after which
 * the list labels it as the fp32 variant of its source.
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
  modelsDir = await mkdtemp(join(cacheDir, 'widen-service-'));
  for (const folder of [F.controlnetIirFp16, F.controlnetIir])
    await cp(join(ensureFixtures(), folder), join(modelsDir, folder), { recursive: true });
});

afterAll(() => rm(modelsDir, { recursive: true, force: true }));

describe("the Models sheet's fp32 action (ModelService)", () => {
  it('marks fp16 models, refuses at once, then makes the variant with progress events and lists it', async () => {
    const events: ModelProgress[] = [];
    const settings = { ...defaultSettings, modelsDir };
    const service = new ModelService(
      () => settings,
      (event) => events.push(event),
      () => undefined,
      {},
    );
    const before = (await service.installed()).models;
    expect(before.find((m) => m.id === F.controlnetIirFp16)?.fp16).toBe(true);
    expect(before.find((m) => m.id === F.controlnetIir)?.fp16).toBeUndefined();
    await expect(service.widen(F.controlnetIir)).rejects.toThrow('has no float16 weights or values');
    expect(events).toEqual([]);
    expect(await service.widen(F.controlnetIirFp16)).toEqual({ started: `${F.controlnetIirFp16}-fp32` });
    await expect.poll(() => events.at(-1)?.state, { timeout: 20_000 }).toBe('done');
    expect(events.every((e) => e.modelId === `${F.controlnetIirFp16}-fp32`)).toBe(true);
    const { models } = await service.installed();
    const variant = models.find((m) => m.id === `${F.controlnetIirFp16}-fp32`);
    expect(variant).toMatchObject({ role: 'controlnet-iir', fp32Of: F.controlnetIirFp16 });
    expect(variant?.fp16).toBeUndefined();
    expect(variant?.int8Of).toBeUndefined();
  });
});
