/**
 * The expected peak memory before Generate (issue 12), in Chromium against serve mode: the Generate panel and the
 * Devices panel show main's plan for the open photo's working size and device as soon as it opens, follow the
 * working size, say when low-memory mode is on, and the edit then runs with that plan.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, brushStrokes, copyFixtureModels, openPhoto600, sharedPhoto, startEditor } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

const peakLine = /^Expected peak memory \d+(\.\d)? GiB \((\d+) × (\d+), cpu\)/;

describe('the expected peak before Generate, in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    ({ serve, browser, page } = await startEditor(copyFixtureModels(), pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows the plan as the photo opens, follows the working size, and Generate runs with low-memory mode', async () => {
    await openPhoto600(page, sharedPhoto('coffee.png'));
    const generate = page.locator('section[aria-labelledby="generate-title"]');
    const peak = generate.getByTestId('memory-peak');
    await expect.poll(() => peak.innerText(), { timeout: 30_000 }).toMatch(peakLine);
    expect(await peak.innerText()).toContain('(768 × 512, cpu)');
    const at512 = await peak.innerText();
    await generate.locator('details').evaluate((details: HTMLDetailsElement) => (details.open = true));
    await page.locator('#working-size').selectOption('640');
    await expect.poll(() => peak.innerText()).toContain('(960 × 640, cpu)');
    expect(await peak.innerText()).not.toBe(at512);
    await generate.locator('details').evaluate((details: HTMLDetailsElement) => (details.open = false));
    await peak.scrollIntoViewIfNeeded();
    await shot('70-generate-expected-peak');

    // Devices: the same plan with the machine's memory, and the low-memory switch.
    await page.getByTestId('open-models').click();
    const sheet = page.getByTestId('models-sheet');
    const devicesPeak = sheet.getByTestId('memory-peak');
    await expect.poll(() => devicesPeak.innerText()).toMatch(/\(960 × 640, cpu\) · this machine \d+\.\d GiB, /);
    await sheet.getByTestId('low-memory').check();
    await expect.poll(() => sheet.getByTestId('memory-low').innerText()).toContain('Low-memory mode is on');
    await sheet.getByTestId('low-memory').scrollIntoViewIfNeeded();
    await shot('71-devices-expected-peak-low-memory');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });
    await expect.poll(() => generate.getByTestId('memory-low').innerText()).toContain('Low-memory mode is on');

    await brushStrokes(page, 180, 420, [150, 190, 230]);
    await page.getByTestId('prompt').fill('a green cup');
    await page.getByTestId('generate').click();
    await page.getByTestId('result-0').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('edit-status').innerText()).toMatch(/^Done · ran on cpu/);
    await shot('72-generated-low-memory');
    expect(pageErrors).toEqual([]);
  });
});
