import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, launchChromium, sharedPhoto, startServeMode } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;

describe('first run without models', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    serve = await startServeMode(mkdtempSync(join(tmpdir(), 'iir-e2e-empty-models-')));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' })).newPage();
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('opens a photo, lets the user paint, and says which models an edit and a search need', async () => {
    await page.getByTestId('open-path').fill(sharedPhoto('chelsea.png'));
    await page.getByTestId('open-path-submit').click();
    await page.getByTestId('doc-facts').filter({ hasText: '451×300' }).waitFor();

    const needs = page.getByTestId('edit-needs');
    await needs.waitFor();
    expect(await needs.innerText()).toMatch(/^Editing needs Stable Diffusion 1\.5.*\+ .*ControlNet/);
    expect(await page.getByTestId('find-needs').innerText()).toMatch(
      /^Finding a region needs GroundingDINO .* \+ SlimSAM/,
    );

    const box = (await page.getByTestId('editor-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 - 40, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(
      () => !/^0 px/.test(document.querySelector('[data-testid=mask-area]')?.textContent ?? ''),
    );
    // Without the models, Generate and Find cannot be pressed (the notes above say why).
    await page.getByTestId('prompt').fill('a dog');
    await page.getByTestId('find-text').fill('cat');
    expect(await page.getByTestId('generate').isDisabled()).toBe(true);
    expect(await page.getByTestId('find').isDisabled()).toBe(true);
    await page.screenshot({ path: join(shotsDir, '20-first-run.png') });

    await page.getByRole('button', { name: 'Download…' }).first().click();
    await page.getByTestId('models-sheet').waitFor();
    expect(await page.getByTestId('models-sheet').innerText()).toContain('Download bundle');
    await page.screenshot({ path: join(shotsDir, '21-models-sheet.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('models-sheet').waitFor({ state: 'detached' });

    await page.keyboard.press('Shift+Slash');
    await page.getByTestId('shortcuts-help').waitFor();
    await page.screenshot({ path: join(shotsDir, '22-shortcuts.png') });
  });
});
