import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, copyFixtureModels, startEditor } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let models: string;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

describe('the Models sheet in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    models = copyFixtureModels();
    // A download of SlimSAM stopped part-way in an earlier session, and an installed ControlNet whose file changed.
    mkdirSync(join(models, 'slimsam-77', 'onnx'), { recursive: true });
    writeFileSync(join(models, 'slimsam-77', 'onnx', 'vision_encoder.onnx.part'), Buffer.alloc(300_000, 7));
    appendFileSync(join(models, 'controlnet-canny', 'model.onnx'), Buffer.from([0]));
    ({ serve, browser, page } = await startEditor(models, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows what a stopped download keeps, deletes it with the size freed, and never calls a damaged model installed', async () => {
    await page.getByTestId('open-models').click();
    const sheet = page.getByTestId('models-sheet');
    await sheet.waitFor();
    const partial = page.getByTestId('catalog-slimsam-77');
    await expect
      .poll(() => partial.getByTestId('kept').innerText())
      .toMatch(/^Partly downloaded · 300 kB of .* kept on disk$/);
    await partial.scrollIntoViewIfNeeded();
    await shot('62-models-partial-kept');
    await page.getByTestId('delete-partial-slimsam-77').click();
    await expect.poll(() => partial.getByTestId('freed').innerText()).toBe('Partial download deleted: 300 kB freed.');
    expect(existsSync(join(models, 'slimsam-77'))).toBe(false);
    await shot('63-models-partial-deleted');

    // Verify all: the changed ControlNet fails its check; it is shown as failed, not Installed or Verified.
    await sheet.getByRole('button', { name: 'Verify all' }).click();
    const damaged = page.getByTestId('failed-controlnet-canny');
    await damaged.waitFor({ timeout: 60_000 });
    expect(await damaged.innerText()).toMatch(/^Failed its check: model\.onnx: size/);
    const card = page.getByTestId('catalog-controlnet-canny');
    expect(await card.innerText()).not.toMatch(/\bInstalled\b/);
    await card.getByTestId('check-failed').waitFor();
    await card.scrollIntoViewIfNeeded();
    await shot('64-models-failed-check');

    // Remove asks first.
    await page.getByTestId('remove-controlnet-canny').click();
    await page.getByTestId('confirm-remove').waitFor();
    await page.getByTestId('confirm-remove').scrollIntoViewIfNeeded();
    await shot('65-models-remove-confirm');
    await page.getByTestId('confirm-remove').getByRole('button', { name: 'Keep' }).click();
    expect(existsSync(join(models, 'controlnet-canny'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
