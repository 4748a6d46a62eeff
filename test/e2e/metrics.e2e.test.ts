import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, copyFixtureModels, startEditor, openPhoto600, brushStrokes } from './serve';

const photo = join(import.meta.dirname, '..', 'fixtures', 'images', 'coffee.png');
const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

describe('the compare bar metrics in Chromium against serve mode (fixture metric models installed)', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    ({ serve, browser, page } = await startEditor(copyFixtureModels(), pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows PSNR and LPIPS outside the region and the CLIP score of the prompt for the current result', async () => {
    await openPhoto600(page, photo);
    await brushStrokes(page, 200, 400, [160, 200, 240]);
    const prompt = page.getByTestId('prompt');
    await prompt.fill('a green ceramic cup');
    await prompt.press('Control+Enter');
    await page.getByTestId('result-0').waitFor({ timeout: 240_000 });

    await page.getByTestId('metric-clip').waitFor({ timeout: 60_000 });
    // The composite leaves everything outside the grown region as it was: PSNR outside the painted region is
    // finite (the feathered edge), LPIPS small, the CLIP score a number.
    expect(await page.getByTestId('metric-psnr').innerText()).toMatch(/^PSNR outside (\d+\.\d dB|∞)$/);
    expect(await page.getByTestId('metric-lpips').innerText()).toMatch(/^LPIPS \d\.\d{3}$/);
    expect(await page.getByTestId('metric-clip').innerText()).toMatch(/^CLIP \d+\.\d$/);
    expect(await page.getByTestId('metric-note').count()).toBe(0);
    await page.getByTestId('compare-metrics').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shotsDir, '60-compare-metrics.png') });
    expect(pageErrors).toEqual([]);
  });
});
