import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, copyFixtureModels, sharedPhoto, startEditor, openPhoto600, brushStrokes } from './serve';

// The Sweep sheet in Chromium against serve mode with fixture models: σ × seed, the labelled grid, keyboard picking.
const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

describe('the Sweep sheet in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    ({ serve, browser, page } = await startEditor(copyFixtureModels(), pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('runs σ × seed, shows the labelled grid, and puts the cells picked by keyboard and click in the strip', async () => {
    await openPhoto600(page, sharedPhoto('coffee.png'));
    await brushStrokes(page, 200, 400, [150, 190, 230]);
    await page.getByTestId('prompt').fill('a green ceramic cup');
    await page.getByTestId('steps').fill('4');

    await page.getByTestId('open-sweep').click();
    await page.getByTestId('sweep-values-0').fill('0.1, 0.4, 0.8');
    await page.getByTestId('sweep-values-1').fill('1..3');
    await page.getByTestId('sweep-run').click();
    await page.getByTestId('sweep-grid').waitFor({ timeout: 240_000 });
    await page.locator('[data-testid=sweep-grid] img').last().waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid=sweep-grid] img')].every((i) => i.complete),
    );
    const headers = await page.getByRole('columnheader').allInnerTexts();
    expect(headers).toEqual(['seed 1', 'seed 2', 'seed 3']);
    expect(await page.getByRole('rowheader').allInnerTexts()).toEqual(['σ 0.1', 'σ 0.4', 'σ 0.8']);
    await page.getByTestId('sweep-cell-0').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByTestId('sweep-cell-8').click();
    await page.screenshot({ path: join(shotsDir, '60-sweep-grid.png') });
    expect(await page.getByTestId('sweep-cell-4').getAttribute('aria-label')).toBe('σ 0.4, seed 2, in the results');

    await page.keyboard.press('Escape');
    await page.getByTestId('sweep-sheet').waitFor({ state: 'detached' });
    await page.getByTestId('result-1').waitFor();
    await page.screenshot({ path: join(shotsDir, '61-sweep-picked-in-strip.png') });
    expect(pageErrors).toEqual([]);
  });
});
