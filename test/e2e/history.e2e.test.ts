import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../main/projects/zip';
import { projectSchemaVersion } from '../../shared/api/projects';
import { type ServeProcess, maskAreaOf, copyFixtureModels, sharedPhoto, startEditor, openPhoto600 } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

const maskArea = (): Promise<number> => maskAreaOf(page);

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

async function waitForPreviewChange(before: number): Promise<void> {
  await page.waitForFunction(
    (previous) => {
      const canvas = document.querySelector('[data-testid=iir-preview]') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let hash = 0;
      for (let i = 0; i < data.length; i++) hash = (hash * 31 + data[i]!) | 0;
      return hash !== previous;
    },
    before,
    { timeout: 2_000 },
  );
}

async function generateAndWait(count: number, start: () => Promise<void>): Promise<void> {
  await start();
  await page.getByTestId(`result-${count - 1}`).waitFor({ timeout: 240_000 });
}

describe('results, history and plain behaviour in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    ({ serve, browser, page } = await startEditor(copyFixtureModels(), pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('keeps every result, undoes Keep, walks the history, compares any two and asks before discarding', async () => {
    await openPhoto600(page, sharedPhoto('coffee.png'));

    // Paint a region: the photo (600×400) is fitted at 100 %, centred.
    const box = (await page.getByTestId('editor-canvas').boundingBox())!;
    const at = (x: number, y: number) => ({
      x: box.x + Math.round((box.width - 600) / 2) + x,
      y: box.y + Math.round((box.height - 400) / 2) + y,
    });
    await page.getByTestId('tool-brush').click();
    for (const y of [150, 190, 230]) {
      await page.mouse.move(at(180, y).x, at(180, y).y);
      await page.mouse.down();
      await page.mouse.move(at(420, y).x, at(420, y).y, { steps: 6 });
      await page.mouse.up();
    }
    await page.waitForFunction(() => /^[1-9]/.test(document.querySelector('[data-testid=mask-area]')!.textContent));
    const painted = await maskArea();

    // The preview follows σ and "remove colour" at once (issue 13, 1).
    const before = await previewHash();
    await page.getByTestId('noise').fill('0.9');
    await waitForPreviewChange(before);
    const noisy = await previewHash();
    await page.getByTestId('gray').uncheck();
    await waitForPreviewChange(noisy);
    await shot('30-preview-follows-sigma');

    // Ctrl+Z in the prompt undoes typing, not the mask (4).
    const prompt = page.getByTestId('prompt');
    await prompt.fill('a green cup');
    await prompt.press('End');
    await prompt.press('Backspace');
    await prompt.press('Control+z');
    expect(await maskArea()).toBe(painted);

    // Generate, then Retry: the strip keeps both (5); the recipe shows on hover.
    await prompt.fill('a green ceramic cup');
    await generateAndWait(1, () => prompt.press('Control+Enter'));
    await generateAndWait(2, () => page.getByRole('button', { name: 'Retry' }).click());
    expect(await page.locator('[data-testid^=result-]:not([data-testid=result-photo])').count()).toBe(2);
    await page.getByTestId('result-0').hover();
    const recipe = page.getByTestId('recipe-0');
    await recipe.waitFor();
    expect(await recipe.innerText()).toMatch(/a green ceramic cup[\s\S]*σ 0\.9[\s\S]*seed \d+[\s\S]*ran on cpu/);
    await shot('31-results-recipe');

    // Clicking the selected result keeps it selected (5).
    await page.getByTestId('result-1').click();
    await page.getByTestId('result-1').click();
    expect(await page.getByTestId('keep').isEnabled()).toBe(true);

    // Compare the two results: result 1 as A, result 2 as B; drag the split line on the photo.
    await page.getByTestId('result-0').hover();
    await page.getByTestId('compare-a-0').click();
    await page.getByTestId('compare-split').click();
    const middle = at(300, 200);
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.down();
    await page.mouse.move(middle.x - 150, middle.y, { steps: 5 });
    await page.mouse.up();
    const split = Number(await page.getByLabel('Split position').inputValue());
    expect(split).toBeGreaterThan(0.2);
    expect(split).toBeLessThan(0.3);
    await shot('32-compare-two-results-split-dragged');
    await page.getByTestId('result-0').hover();
    await page.getByTestId('compare-a-0').click();

    // Keep, then Undo: the photo is back, the region untouched, the strip still full (2, 3, 5).
    await page.getByTestId('result-1').click();
    await page.getByTestId('keep').click();
    await page.getByTestId('doc-facts').filter({ hasText: '1 edit(s) kept' }).waitFor();
    await shot('33-kept');
    await page.getByTestId('undo').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=doc-facts]')!.textContent.includes('kept'));
    expect(await maskArea()).toBe(painted);
    expect(await page.locator('[data-testid^=result-]:not([data-testid=result-photo])').count()).toBe(2);
    await page.getByTestId('redo').click();
    await page.getByTestId('doc-facts').filter({ hasText: '1 edit(s) kept' }).waitFor();

    // The History panel: the steps, searchable by prompt; click one to see it, Restore makes it current.
    await page.getByTestId('toggle-history').click();
    const panel = page.getByTestId('history-panel');
    await panel.waitFor();
    expect(await panel.innerText()).toMatch(/Open coffee\.png[\s\S]*Region: 3 changes[\s\S]*Generate[\s\S]*Keep/);
    await shot('34-history');
    await page.getByTestId('history-search').fill('ceramic');
    expect(await panel.locator('li').count()).toBe(3);
    await page.getByTestId('history-search').fill('');
    await page.getByTestId('history-0').locator('button.step').click();
    await shot('35-history-viewing-open');
    await page.getByTestId('history-restore').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=doc-facts]')!.textContent.includes('kept'));
    expect(await maskArea()).toBe(0);
    await page.getByTestId('redo').click();
    expect(await maskArea()).toBeGreaterThan(0);

    // Opening another photo asks first; Cancel keeps the work (2).
    await page.getByTestId('open').click();
    const dialog = page.getByTestId('discard-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/coffee\.png has unsaved work \(2 results, the region\)/);
    await shot('36-discard-dialog');
    await page.getByTestId('discard-cancel').click();
    expect(await page.locator('[data-testid^=result-]:not([data-testid=result-photo])').count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('saves a project, recovers the autosave after a reload, and opens the project again', async () => {
    const results = () => page.locator('[data-testid^=result-]:not([data-testid=result-photo])').count();
    const area = await maskArea();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-project').click()]);
    expect(download.suggestedFilename()).toBe('coffee.iirproj');
    const saved = join(mkdtempSync(join(tmpdir(), 'iir-e2e-project-')), 'coffee.iirproj');
    await download.saveAs(saved);
    const files = readZip(new Uint8Array(readFileSync(saved)));
    expect(Buffer.from(files.get('original/coffee.png')!).equals(readFileSync(sharedPhoto('coffee.png')))).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(files.get('project.json')))).toMatchObject({
      schemaVersion: projectSchemaVersion,
    });

    // A reload (as after a crash) offers the autosave written at the last Keep.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await page.getByTestId('recovery').waitFor();
    await shot('39-recovery-offer');
    await page.getByTestId('recover').click();
    await page.getByTestId('doc-facts').filter({ hasText: 'coffee.png' }).waitFor();
    expect(await results()).toBe(2);
    await shot('40-recovered');

    // Open the saved project: photo, region, results strip and history as they were saved.
    await page.getByTestId('project-input').setInputFiles(saved);
    await page.waitForFunction(
      (expected) => document.querySelector('[data-testid=mask-area]')?.textContent?.startsWith(expected),
      area.toLocaleString('en-US'),
    );
    expect(await results()).toBe(2);
    await page.getByTestId('toggle-history').click();
    expect(await page.getByTestId('history-panel').innerText()).toMatch(/Open coffee\.png[\s\S]*Keep/);
    await shot('41-project-opened');
    await page.getByTestId('toggle-history').click();
  });

  it('at 1024×700 keeps Generate in view and fits the photo again when the window shrinks (7)', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByText('More settings').click();
    const generate = (await page.getByTestId('generate').boundingBox())!;
    expect(generate.y + generate.height).toBeLessThanOrEqual(700);
    const zoomOf = (text: string) => Number(text.match(/(\d+) %/)![1]);
    expect(zoomOf(await page.getByTestId('doc-facts').innerText())).toBe(100);
    await shot('37-1024x700');
    await page.setViewportSize({ width: 900, height: 560 });
    await page.waitForFunction(() => !/ 100 %/.test(document.querySelector('[data-testid=doc-facts]')!.textContent));
    const zoom = zoomOf(await page.getByTestId('doc-facts').innerText());
    expect(zoom).toBeLessThan(100);
    const canvas = (await page.getByTestId('editor-canvas').boundingBox())!;
    expect(Math.round((600 * zoom) / 100)).toBeLessThanOrEqual(canvas.width);
    await shot('38-refit-900x560');
  });
});
