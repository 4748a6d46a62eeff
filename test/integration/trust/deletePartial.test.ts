import { existsSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../../main/services/app';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { scratch, snapshot, startApp } from './helpers';

let services: AppServices;
let home: string;
let outside: string;

/**
 * A models folder that is also someone's home: a paused SD download (a finished file, a `.part` and its sidecar, a
 * pull state), a cancelled ControlNet whose folder also holds a file of the user's, an installed tokenizer with a
 * stray `.part`, a notes folder with the user's own `draft.part`, and a link out of the models folder.
 */
async function makeHome(): Promise<void> {
  home = scratch('partial-home');
  outside = scratch('partial-outside');
  await writeFile(join(outside, 'model.onnx.part'), Buffer.alloc(64, 9));
  await mkdir(join(home, 'sd15-fp16', 'unet'), { recursive: true });
  await mkdir(join(home, 'sd15-fp16', 'text_encoder'), { recursive: true });
  await writeFile(join(home, 'sd15-fp16', 'text_encoder', 'model.onnx'), Buffer.alloc(1000));
  await writeFile(join(home, 'sd15-fp16', 'unet', 'model.onnx.part'), Buffer.alloc(700));
  await writeFile(join(home, 'sd15-fp16', 'unet', 'model.onnx.part.json'), '{"etag":"x"}');
  const state = { files: { 'text_encoder/model.onnx': { url: 'https://x', bytes: 1000, sha256: 'a' } } };
  await writeFile(join(home, 'sd15-fp16', '.pull-state.json'), JSON.stringify(state));
  await mkdir(join(home, 'controlnet-canny'));
  await writeFile(join(home, 'controlnet-canny', 'model.onnx.part'), Buffer.alloc(300));
  await writeFile(join(home, 'controlnet-canny', 'my-notes.txt'), 'mine');
  await mkdir(join(home, 'clip-tokenizer'));
  await writeFile(join(home, 'clip-tokenizer', 'vocab.json'), Buffer.alloc(50, 1));
  await writeFile(join(home, 'clip-tokenizer', 'merges.txt.part'), Buffer.alloc(20));
  writeFixtureReceipt(join(home, 'clip-tokenizer'), 'clip-tokenizer', 'CLIP tokenizer', 'tokenizer');
  await mkdir(join(home, 'notes'));
  await writeFile(join(home, 'notes', 'draft.part'), 'part one of my essay');
  await symlink(outside, join(home, 'slimsam-77'));
}

beforeAll(async () => {
  services = await startApp();
  await makeHome();
  const set = await services.router.dispatch('settings:set', { modelsDir: home }, { transport: 'websocket' });
  expect(set.ok).toBe(true);
});

afterAll(async () => {
  await services.dispose();
});

const deletePartial = (id: string) =>
  services.router.dispatch('models:deletePartial', { id }, { transport: 'websocket' });

describe('models:deletePartial deletes only what a download left, inside the models folder', () => {
  it('reports the kept bytes of a partial download per model', async () => {
    const usage = await services.router.dispatch('models:diskUsage', {}, { transport: 'websocket' });
    const models = usage.ok ? (usage.value as { models: { id: string }[] }).models : [];
    expect(models.find((model) => model.id === 'sd15-fp16')).toMatchObject({ partialBytes: 700, installed: false });
  });

  it('deletes a paused download whole, finished files included, and answers the bytes freed', async () => {
    const sidecar = '{"etag":"x"}'.length;
    const state = readFileSync(join(home, 'sd15-fp16', '.pull-state.json')).length;
    const envelope = await deletePartial('sd15-fp16');
    expect(envelope).toEqual({ ok: true, value: { freedBytes: 1000 + 700 + sidecar + state, remaining: 0 } });
    expect(existsSync(join(home, 'sd15-fp16'))).toBe(false);
  });

  it('leaves a file the user put in a model folder, and the folder', async () => {
    expect(await deletePartial('controlnet-canny')).toEqual({ ok: true, value: { freedBytes: 300, remaining: 1 } });
    expect(readFileSync(join(home, 'controlnet-canny', 'my-notes.txt'), 'utf8')).toBe('mine');
  });

  it('deletes only the stray .part of an installed model', async () => {
    expect(await deletePartial('clip-tokenizer')).toEqual({ ok: true, value: { freedBytes: 20, remaining: 2 } });
    expect(existsSync(join(home, 'clip-tokenizer', 'vocab.json'))).toBe(true);
  });

  it.each([
    ['notes', /notes is not a catalog model/],
    ['slimsam-77', /refusing to delete in .*slimsam-77: it is not a model folder/],
    ['..', /not a model id|Invalid|model id/],
    ['grounding-dino-tiny', /nothing of "grounding-dino-tiny"/],
  ])('refuses %s in one line and deletes nothing (no file outside the folder either)', async (id, message) => {
    const before = snapshot(home);
    const outsideBefore = snapshot(outside);
    const envelope = await deletePartial(id);
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) {
      expect(envelope.error.message).toMatch(message);
      expect(envelope.error.message).not.toContain('\n');
    }
    expect(snapshot(home)).toEqual(before);
    expect(snapshot(outside)).toEqual(outsideBefore);
  });
});
