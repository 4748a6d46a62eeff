import { cpSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dilateMask, featherMask } from '../../shared/image/mask';
import { ensureFixtures } from '../fixtures/models/all';
import { type ServeProcess, maskAreaOf, launchChromium, openEditorPage, sharedPhoto, startServeMode } from './serve';

const photo = sharedPhoto('coffee.png');
const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

const maskArea = (): Promise<number> => maskAreaOf(page);

async function areaAfterChange(previous: number): Promise<number> {
  const waiting = page.waitForFunction(
    (before) => {
      const text = document.querySelector('[data-testid=mask-area]')?.textContent ?? '';
      const alert = document.querySelector('[role=alert]');
      return alert !== null || Number((text.match(/[\d,]+/)?.[0] ?? '').replace(/,/g, '')) !== before;
    },
    previous,
    { timeout: 40_000 },
  );
  await waiting.catch(async (error: unknown) => {
    await shot('failure');
    throw error;
  });
  const alert = page.locator('[role=alert]');
  if ((await alert.count()) > 0) {
    await shot('failure');
    throw new Error(`the editor shows an error: ${await alert.first().innerText()}`);
  }
  return maskArea();
}

async function canvasBox(): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.getByTestId('editor-canvas').boundingBox();
  if (!box) throw new Error('the canvas is not visible');
  return box;
}

async function rawRgb(file: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** The fixture models (each with its install receipt) as a models folder of its own. */
function fixtureModelsFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'iir-e2e-models-')), 'models');
  cpSync(ensureFixtures(), dir, { recursive: true });
  return dir;
}

describe('the editor in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    serve = await startServeMode(fixtureModelsFolder());
    browser = await launchChromium();
    page = await openEditorPage(browser, serve.url, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('opens a photo, finds and corrects the region, previews the control, generates, compares, keeps and exports', async () => {
    await page.getByTestId('empty-state').waitFor();
    await shot('01-empty');

    // Open a shared photo by its path on this computer.
    await page.getByTestId('open-path').fill(photo);
    await page.getByTestId('open-path-submit').click();
    await page.getByTestId('doc-facts').filter({ hasText: '600×400' }).waitFor();
    await page.getByTestId('editor-canvas').waitFor();
    await shot('02-opened');

    // Find the region by text.
    // The fixture GroundingDINO has random weights: its best score on "cup" is ~0.12, so lower the thresholds.
    await page.getByText('Detection thresholds').click();
    await page.getByLabel('box value').fill('0.05');
    await page.getByLabel('box value').press('Tab');
    await page.getByLabel('text value').fill('0.05');
    await page.getByLabel('text value').press('Tab');
    await page.getByTestId('find-text').fill('cup');
    await page.getByTestId('find').click();
    const afterFind = await areaAfterChange(0);
    expect(afterFind).toBeGreaterThan(0);
    await shot('03-found');

    // Correct it by painting: the area grows; undo restores exactly the previous area, redo the painted one.
    await page.getByTestId('tool-brush').click();
    const box = await canvasBox();
    // The 600×400 photo is fitted at 100 %, centred: imagePx → page px.
    const at = (xImagePx: number, yImagePx: number) => ({
      x: box.x + Math.round((box.width - 600) / 2) + xImagePx,
      y: box.y + Math.round((box.height - 400) / 2) + yImagePx,
    });
    const from = at(20, 385);
    const to = at(200, 385);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    const afterPaint = await areaAfterChange(afterFind);
    expect(afterPaint).toBeGreaterThan(afterFind);
    await shot('04-painted');
    await page.getByTestId('undo').click();
    expect(await areaAfterChange(afterPaint)).toBe(afterFind);
    await page.getByTestId('redo').click();
    expect(await areaAfterChange(afterFind)).toBe(afterPaint);

    // And by a negative click on the painted stroke: SAM removes what it selects there.
    await page.getByTestId('tool-negative').click();
    const clickAt = at(100, 385);
    await page.mouse.click(clickAt.x, clickAt.y);
    const afterClick = await areaAfterChange(afterPaint);
    expect(afterClick).toBeLessThan(afterPaint);
    await shot('05-negative-click');

    // See what the model sees.
    await page.getByTestId('preview-control').click();
    const preview = page.getByTestId('iir-preview');
    const width = await preview.evaluate((canvas) => (canvas as HTMLCanvasElement).width);
    const height = await preview.evaluate((canvas) => (canvas as HTMLCanvasElement).height);
    expect([3 * height, 6 * height]).toContain(2 * width);
    await shot('06-control-preview');

    // Generate with Ctrl+Enter from the prompt.
    await page.getByTestId('prompt').fill('a green ceramic cup');
    await page.getByTestId('prompt').press('Control+Enter');
    await page.getByTestId('result-0').waitFor({ timeout: 240_000 });
    await shot('07-generated');

    // Compare: split, side by side and the difference map, which counts no change outside the blend region.
    await page.getByTestId('compare-sideBySide').click();
    await shot('08-side-by-side');
    await page.getByTestId('compare-difference').click();
    const stats = page.getByTestId('difference-stats');
    await stats.waitFor();
    const statsText = await stats.innerText();
    expect(statsText).toMatch(/^[\d,]+ px changed/);
    expect(Number(statsText.match(/^[\d,]+/)?.[0].replace(/,/g, ''))).toBeGreaterThan(0);
    expect(statsText).toContain('· 0 outside the region');
    await shot('09-difference');

    // Save the mask the edit used, to check the exported pixels against it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export mask' }).click(),
    ]);
    const outDir = mkdtempSync(join(tmpdir(), 'iir-e2e-out-'));
    const maskFile = join(outDir, 'mask.png');
    await download.saveAs(maskFile);

    // Keep: the result becomes the base.
    await page.getByTestId('keep').click();
    await page.getByTestId('doc-facts').filter({ hasText: '1 edit(s) kept' }).waitFor();
    await shot('10-kept');

    // Export at full resolution: in a browser the file is downloaded (the server writes nothing).
    const exported = join(outDir, 'coffee-edited.png');
    const [exportDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(exportDownload.suggestedFilename()).toBe('coffee-edited.png');
    await exportDownload.saveAs(exported);
    await page.getByTestId('export-message').waitFor();
    await shot('11-exported');
    const bytes = statSync(exported).size;
    expect(bytes).toBeGreaterThan(50_000);

    const original = await rawRgb(photo);
    const result = await rawRgb(exported);
    expect([result.width, result.height]).toEqual([original.width, original.height]);
    const maskRaw = await sharp(maskFile).extractChannel(0).raw().toBuffer();
    const mask = { width: original.width, height: original.height, data: new Uint8Array(maskRaw) };
    const blend = featherMask(dilateMask(mask, 8), 8);
    let outside = 0;
    let changedOutside = 0;
    let changedInside = 0;
    for (let i = 0; i < blend.data.length; i++) {
      const same =
        original.data[3 * i] === result.data[3 * i] &&
        original.data[3 * i + 1] === result.data[3 * i + 1] &&
        original.data[3 * i + 2] === result.data[3 * i + 2];
      if (blend.data[i] === 0) {
        outside++;
        if (!same) changedOutside++;
      } else if (!same) changedInside++;
    }
    expect(outside).toBeGreaterThan(10_000);
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
