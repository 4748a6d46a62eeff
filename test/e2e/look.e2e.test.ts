import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureFixtures } from '../fixtures/models/all';
import { isReallyVisible, outlineRunsInColumn, unstyledControls } from './lookChecks';
import { type ServeProcess, launchChromium, sharedPhoto, startServeMode } from './serve';

const photo = sharedPhoto('coffee.png');
const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let modelsDir: string;
let browser: Browser;
const pageErrors: string[] = [];

type Theme = 'dark' | 'light';

async function editorAt(
  width: number,
  height: number,
  colorScheme: Theme,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(serve.url);
  await page.getByTestId('empty-state').waitFor();
  return { context, page };
}

/** Screenshot `look-<theme>-<width>x<height>-<state>.png`, after checking no control is left unstyled. */
async function shot(page: Page, theme: Theme, state: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(shotsDir, `look-${theme}-${width}x${height}-${state}.png`) });
  expect(await unstyledControls(page), state).toEqual([]);
}

async function openPhoto(page: Page): Promise<void> {
  await page.getByTestId('open-path').fill(photo);
  await page.getByTestId('open-path-submit').click();
  await page.getByTestId('doc-facts').filter({ hasText: '600×400' }).waitFor();
}

/** The photo's image pixel (x, y) in page pixels, while it is fitted at 100 %. */
async function pagePoint(page: Page, xImagePx: number, yImagePx: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  return {
    x: box.x + Math.round((box.width - 600) / 2) + xImagePx,
    y: box.y + Math.round((box.height - 400) / 2) + yImagePx,
  };
}

/** Moves the pointer off the canvas (onto the title), so the brush cursor is not drawn over the outline. */
async function offCanvas(page: Page): Promise<void> {
  await page.mouse.move(4, 4);
}

/** Paints a 40 px wide stroke on the table, from image x 20 to 140 at y 360; answers its centre in page pixels. */
async function paintStroke(page: Page): Promise<{ x: number; y: number }> {
  await page.getByTestId('tool-brush').click();
  const from = await pagePoint(page, 20, 360);
  const to = await pagePoint(page, 140, 360);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
  await page.getByTestId('mask-area').filter({ hasNotText: /^0 px/ }).waitFor();
  await offCanvas(page);
  return pagePoint(page, 80, 360);
}

async function zoomPercent(page: Page): Promise<number> {
  const facts = await page.getByTestId('doc-facts').innerText();
  return Number(facts.match(/(\d+) %/)![1]);
}

/** The outline crosses the stroke's centre column twice, each time one pixel thick, as far apart as it is wide. */
async function expectCrispOutline(page: Page, centre: { x: number; y: number }): Promise<void> {
  await page.waitForTimeout(100);
  const scale = (await zoomPercent(page)) / 100;
  const canvasTop = (await page.getByTestId('editor-canvas').boundingBox())!.y;
  const centreRow = centre.y - canvasTop;
  const runs = (await outlineRunsInColumn(page, centre.x)).filter(([y]) => Math.abs(y - centreRow) < 20 * scale + 12);
  expect(
    runs.map(([, length]) => length),
    `at ${scale * 100} %`,
  ).toEqual([1, 1]);
  const apart = runs[1]![0] - runs[0]![0];
  expect(Math.abs(apart - 40 * scale), `at ${scale * 100} %`).toBeLessThan(6 * Math.max(1, scale));
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Zooms in twice and out below 100 % at the stroke's centre: the outline stays one pixel, the bar in view. */
async function zoomWalk(page: Page, centre: { x: number; y: number }): Promise<void> {
  const bar = page.getByTestId('prompt-bar');
  for (const notches of [3, 4, -12]) {
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.wheel(0, -100 * notches);
    await offCanvas(page);
    await expectCrispOutline(page, centre);
    const barBox = (await bar.boundingBox())!;
    const canvasBox = (await page.getByTestId('editor-canvas').boundingBox())!;
    expect(barBox.y + barBox.height).toBeLessThanOrEqual(canvasBox.y + canvasBox.height);
    expect(barBox.x).toBeGreaterThanOrEqual(canvasBox.x);
  }
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -900);
  await offCanvas(page);
  await shot(page, 'dark', '04-outline-zoomed');
}

/** The History panel, the Models sheet, the shortcuts and the discard dialog, each shot and checked. */
async function panelsAndSheets(page: Page, theme: Theme): Promise<void> {
  await page.getByTestId('toggle-history').click();
  await shot(page, theme, '11-history');
  await page.getByTestId('toggle-history').click();
  await page.getByTestId('open-models').click();
  await page.getByTestId('models-sheet').waitFor();
  await shot(page, theme, '07-models-sheet');
  await page.keyboard.press('Escape');
  await page.keyboard.press('?');
  await page.getByTestId('shortcuts-help').waitFor();
  await shot(page, theme, '08-shortcuts');
  await page.keyboard.press('Escape');
  await page.getByTestId('open').click();
  await page.getByTestId('discard-dialog').waitFor();
  await shot(page, theme, '12-discard-dialog');
  await page.getByTestId('discard-cancel').click();
}

describe('the editor look in both themes (Chromium, serve mode)', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    modelsDir = join(mkdtempSync(join(tmpdir(), 'iir-e2e-look-')), 'models');
    cpSync(ensureFixtures(), modelsDir, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  // Each walk has its own serve mode (its own user-data folder: no work to recover from the other).
  beforeEach(async () => {
    serve = await startServeMode(modelsDir);
  });

  afterEach(async () => {
    await serve?.stop();
  });

  it('1440×900: outline at every zoom, prompt bar beside the selection and in sync, sheets, compare; then light', async () => {
    const { context, page } = await editorAt(1440, 900, 'dark');
    await shot(page, 'dark', '01-empty');
    await openPhoto(page);
    await shot(page, 'dark', '02-opened');

    const centre = await paintStroke(page);
    await expectCrispOutline(page, centre);
    const bar = page.getByTestId('prompt-bar');
    await bar.waitFor();
    const stroke = { ...(await pagePoint(page, 0, 340)), width: 160, height: 40 };
    expect(overlaps((await bar.boundingBox())!, stroke)).toBe(false);
    await page.getByTestId('prompt-bar-text').fill('a green ceramic cup');
    expect(await page.getByTestId('prompt').inputValue()).toBe('a green ceramic cup');
    await page.getByTestId('tool-lasso').hover();
    await page.getByTestId('tooltip-lasso').waitFor();
    await shot(page, 'dark', '03-region-outline-prompt-bar');

    await zoomWalk(page, centre);
    await page.keyboard.press('f');

    await page.getByTestId('section-iir').click();
    await shot(page, 'dark', '05-section-collapsed');
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    expect(await page.getByTestId('section-iir').getAttribute('aria-expanded')).toBe('false');
    await page.getByTestId('section-iir').click();
    await openPhoto(page);
    await paintStroke(page);

    await page.getByTestId('prompt-bar-text').fill('a green ceramic cup');
    await page.getByTestId('prompt-bar-text').press('Enter');
    await page.getByTestId('result-0').waitFor({ timeout: 240_000 });
    await page.getByTestId('compare-split').click();
    await shot(page, 'dark', '06-generated-compare');
    await panelsAndSheets(page, 'dark');

    // The override: Light on a dark OS, remembered over a reload.
    await page.getByTestId('theme-light').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await shot(page, 'light', '06-generated-compare');
    await page.getByTestId('compare-sideBySide').click();
    await shot(page, 'light', '09-side-by-side');
    await panelsAndSheets(page, 'light');
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(230, 230, 230)');
    await shot(page, 'light', '01-empty');
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  it('1024×700: light from the OS under System; the prompt and Generate stay in view; then dark', async () => {
    const { context, page } = await editorAt(1024, 700, 'light');
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(230, 230, 230)',
    );
    await shot(page, 'light', '01-empty');
    await openPhoto(page);
    await page.keyboard.press('f');
    await paintStroke(page);
    await page.getByTestId('prompt-bar').waitFor();
    await page.getByTestId('tool-box').hover();
    await shot(page, 'light', '03-region-outline-prompt-bar');
    for (const id of ['prompt', 'generate', 'prompt-bar-text', 'prompt-bar-generate']) {
      expect(await isReallyVisible(page, id), id).toBe(true);
    }
    // No selection, no bar; Undo brings both back.
    await page.getByTestId('clear-mask').click();
    await page.getByTestId('prompt-bar').waitFor({ state: 'hidden' });
    await page.getByTestId('undo').click();
    await page.getByTestId('prompt-bar').waitFor();
    await page.getByText('More settings').click();
    await shot(page, 'light', '10-more-settings');
    expect(await isReallyVisible(page, 'generate')).toBe(true);

    await page.getByTestId('theme-dark').click();
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(28, 28, 28)',
    );
    await shot(page, 'dark', '10-more-settings');
    await page.getByTestId('section-region').click();
    await shot(page, 'dark', '05-section-collapsed');
    await page.getByTestId('section-region').click();
    await page.getByTestId('theme-system').click();
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(230, 230, 230)',
    );
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
