import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerAppRequest } from '../../main/electron/appProtocol';
import { type ServeProcess, copyFixtureModels, maskAreaOf, startEditor } from './serve';

// The whole walk, in its order, in serve mode with the fixture models (issue 13, "Done when").
const root = join(import.meta.dirname, '..', '..');
const photo = join(root, 'test', 'fixtures', 'images', 'coffee.png');
const shotsDir = join(root, 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

const maskArea = (): Promise<number> => maskAreaOf(page);

async function waitForArea(changed: (area: number) => boolean): Promise<number> {
  await expect.poll(maskArea, { timeout: 60_000 }).toSatisfy(changed);
  return maskArea();
}

/** A hash of the "What the model sees" canvas. */
function previewHash(): Promise<number> {
  return page.getByTestId('iir-preview').evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i++) hash = (hash * 31 + data[i]!) | 0;
    return hash;
  });
}

/** The bytes main serves for the image a result thumbnail shows, as hex SHA-256. */
function resultSha256(index: number): Promise<string> {
  return page
    .getByTestId(`result-${index}`)
    .locator('img')
    .evaluate(async (img) => {
      const bytes = await (await fetch((img as HTMLImageElement).src, { cache: 'no-store' })).arrayBuffer();
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    });
}

/** A hash of the decoded pixels a result thumbnail shows (whatever encoder wrote the file). */
function resultPixels(index: number): Promise<number> {
  return page
    .getByTestId(`result-${index}`)
    .locator('img')
    .evaluate(async (img) => {
      const blob = await (await fetch((img as HTMLImageElement).src, { cache: 'no-store' })).blob();
      const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let hash = bitmap.width;
      for (let i = 0; i < data.length; i++) hash = (hash * 31 + data[i]!) | 0;
      return hash;
    });
}

const results = () => page.locator('[data-testid^=result-]:not([data-testid=result-photo])').count();

async function generated(count: number): Promise<void> {
  await page.getByTestId(`result-${count - 1}`).waitFor({ timeout: 240_000 });
}

describe('the whole walk: open → find → fix → generate twice → compare → keep → undo → save → reload → open → regenerate → export', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    ({ serve, browser, page } = await startEditor(copyFixtureModels(), pageErrors));
    page.on('console', (m) => process.env.WALK_DEBUG && console.log('CONSOLE', m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('the preview worker is built beside the page and the desktop app serves it as a script its CSP allows', async () => {
    const rendererDir = join(root, 'out', 'renderer');
    const worker = readdirSync(join(rendererDir, 'assets')).find((name) => /^preview\.worker-.*\.js$/.test(name));
    expect(worker).toBeDefined();
    const response = await answerAppRequest(new Request(`app://iir-studio/assets/${worker}`), {
      rendererDir,
      imagePng: () => Promise.reject(new Error('no images here')),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/javascript/);
    const html = readFileSync(join(rendererDir, 'index.html'), 'utf8');
    // No worker-src or child-src: workers fall back to script-src 'self' (the page's own origin, app: or serve mode).
    expect(html).toMatch(/script-src 'self'/);
    expect(html).not.toMatch(/worker-src|child-src/);
  });

  it('walks the issue in order, in Chromium', async () => {
    // Open.
    await page.getByTestId('open-path').fill(photo);
    await page.getByTestId('open-path-submit').click();
    await page.getByTestId('doc-facts').filter({ hasText: '600×400' }).waitFor();
    await shot('50-walk-opened');

    // Find (the fixture GroundingDINO has random weights: its best score on "cup" is ~0.12).
    await page.getByText('Detection thresholds').click();
    for (const label of ['box value', 'text value']) {
      await page.getByLabel(label).fill('0.05');
      await page.getByLabel(label).press('Tab');
    }
    await page.getByTestId('find-text').fill('cup');
    await page.getByTestId('find').click();
    const found = await waitForArea((area) => area > 0);
    await shot('51-walk-found');

    // Fix: paint more of the region (below the found box).
    await page.getByTestId('tool-brush').click();
    const box = (await page.getByTestId('editor-canvas').boundingBox())!;
    const at = (x: number, y: number) => ({
      x: box.x + Math.round((box.width - 600) / 2) + x,
      y: box.y + Math.round((box.height - 400) / 2) + y,
    });
    await page.mouse.move(at(20, 385).x, at(20, 385).y);
    await page.mouse.down();
    await page.mouse.move(at(200, 385).x, at(200, 385).y, { steps: 8 });
    await page.mouse.up();
    const fixed = await waitForArea((area) => area > found);
    await shot('52-walk-fixed');

    // What the model sees follows σ, computed in the preview worker.
    expect(page.workers().some((worker) => worker.url().includes('preview.worker'))).toBe(true);
    const before = await previewHash();
    await page.getByTestId('noise').fill('0.9');
    await expect.poll(previewHash, { timeout: 2_000 }).not.toBe(before);
    await page.getByText('More settings').click();
    await shot('53-walk-preview-and-model-picker');
    await page.getByText('More settings').click();

    // Generate twice: the strip keeps both.
    await page.getByTestId('prompt').fill('a green ceramic cup');
    await page.getByTestId('prompt').press('Control+Enter');
    await generated(1);
    await page.getByRole('button', { name: 'Retry' }).click();
    await generated(2);
    expect(await results()).toBe(2);
    await page.getByTestId('result-0').hover();
    expect(await page.getByTestId('recipe-0').innerText()).toMatch(/a green ceramic cup/);
    await shot('54-walk-generated-twice');

    // Compare the two results: the first as A, the second as B, side by side.
    await page.getByTestId('result-1').click();
    await page.getByTestId('result-0').hover();
    await page.getByTestId('compare-a-0').click();
    await page.getByTestId('compare-sideBySide').click();
    await shot('55-walk-compare-two-results');
    await page.getByTestId('result-0').hover();
    await page.getByTestId('compare-a-0').click();
    await page.getByTestId('compare-split').click();

    // Keep the second, then undo the Keep: the photo and the region are back, nothing lost.
    await page.getByTestId('result-1').click();
    const kept = await resultSha256(1);
    const keptPixels = await resultPixels(1);
    await page.getByTestId('keep').click();
    await page.getByTestId('doc-facts').filter({ hasText: '1 edit(s) kept' }).waitFor();
    await shot('56-walk-kept');
    await page.getByTestId('undo').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=doc-facts]')!.textContent.includes('kept'));
    expect(await maskArea()).toBe(fixed);
    expect(await results()).toBe(2);
    await shot('57-walk-keep-undone');

    // Save the project.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-project').click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'iir-e2e-walk-')), download.suggestedFilename());
    await download.saveAs(saved);
    expect(statSync(saved).size).toBeGreaterThan(100_000);

    // Reload (nothing unsaved: no question): the autosave written at Keep is offered; discard it, open the project.
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('recovery').waitFor();
    await shot('58-walk-reloaded');
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.getByTestId('recovery').waitFor({ state: 'detached' });
    await page.getByTestId('project-input').setInputFiles(saved);
    await waitForArea((area) => area === fixed);
    expect(await results()).toBe(2);
    // What the model sees is there again for the reopened region.
    await expect.poll(previewHash, { timeout: 5_000 }).not.toBe(0);
    await shot('59-walk-project-opened');

    // Regenerate the kept result from its recipe (the undone Keep step): the same bytes.
    await page.getByTestId('toggle-history').click();
    await page.locator('li[data-testid^="history-"]', { hasText: 'Keep “' }).locator('button.step').click();
    await page.getByTestId('history-regenerate').click();
    await generated(3);
    // The regenerated file is byte for byte the one generated before the project was saved; the result the project
    // brought back has the same pixels.
    expect(await resultSha256(2)).toBe(kept);
    expect(await resultPixels(2)).toBe(keptPixels);
    expect(await resultPixels(1)).toBe(keptPixels);
    await page.getByTestId('toggle-history').click();
    await shot('60-walk-regenerated-identical');

    // Export the regenerated result, kept.
    await page.getByTestId('result-2').click();
    await page.getByTestId('keep').click();
    await page.getByTestId('doc-facts').filter({ hasText: '1 edit(s) kept' }).waitFor();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(exported.suggestedFilename()).toMatch(/^coffee-edited\./);
    await page.getByTestId('export-message').waitFor();
    await shot('61-walk-exported');
    expect(pageErrors).toEqual([]);
  });
});
