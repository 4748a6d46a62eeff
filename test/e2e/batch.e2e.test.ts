import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures } from '../fixtures/models/all';
import { redisServerPath, startRedis, type TestRedis } from '../helpers/redis';
import { startTestWorker, writePhotos } from '../integration/queue/helpers';
import { type ServeProcess, startEditor, startServeMode } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');
const work = mkdtempSync(join(tmpdir(), 'iir-e2e-batch-'));

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let photos: string[];
let models: string;
let redis: TestRedis | undefined;
let worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

/** Picks the photos in the Batch sheet, fills the region and the edit, queues them and waits for every result. */
async function runBatch(count: number): Promise<void> {
  await page.getByTestId('batch-files').setInputFiles(photos.slice(0, count));
  await page
    .locator('li.tile')
    .nth(count - 1)
    .waitFor();
  await page.getByTestId('batch-region').fill('red');
  await page.getByTestId('batch-prompt').fill('a blue box');
  await page.getByTestId('batch-start').click();
  await page.waitForFunction((n) => document.querySelectorAll('li.tile[data-state=edited]').length === n, count, {
    timeout: 240_000,
  });
}

describe('the Batch sheet', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    models = ensureFixtures();
    photos = await writePhotos(join(work, 'photos'), 3);
    if (redisServerPath) {
      redis = await startRedis({ password: 'e2e-secret' });
      worker = await startTestWorker(redis.url, models, work);
    }
    ({ serve, browser, page } = await startEditor(models, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await worker?.stop();
    await redis?.stop();
  });

  it('edits picked photos on this machine, with thumbnails, and opens one in the editor', async () => {
    await page.getByTestId('open-batch').click();
    await page.getByTestId('batch-sheet').waitFor();
    await runBatch(3);
    expect(await page.getByTestId('batch-progress').innerText()).toBe('3/3 · done');
    // Each finished photo shows a small picture of its result (main keeps no more of it than that).
    await page.waitForFunction(() => {
      const images = [...document.querySelectorAll<HTMLImageElement>('li.tile img')];
      return images.length === 3 && images.every((image) => image.complete && image.naturalWidth > 0);
    });
    const widths = await page
      .locator('li.tile img')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
    expect(widths).toHaveLength(3);
    for (const width of widths) expect(width).toBeGreaterThan(0);
    for (const width of widths) expect(width).toBeLessThanOrEqual(256);
    await shot('40-batch-sheet');
    // Finished photos are kept in the user-data folder (not the system's temporary one), in this process's folder.
    expect(readdirSync(join(serve.userDataDir, 'batches'))).toEqual([expect.stringMatching(/^iir-batch-\d+-/)]);
    await page.getByTestId('batch-open-1').click();
    await page.getByTestId('batch-sheet').waitFor({ state: 'detached' });
    await page.getByTestId('doc-facts').filter({ hasText: 'photo-1.png' }).waitFor();
    expect(await page.getByTestId('mask-area').innerText()).not.toMatch(/^0 px/);
    // The result says what ran its edit (this machine's CPU), as a result made in the editor does.
    await page.getByTestId('edit-status').filter({ hasText: 'ran on cpu' }).waitFor();
    await shot('41-batch-open-in-editor');
    expect(pageErrors).toEqual([]);
  });

  it.skipIf(!redisServerPath)('runs on remote workers with a lane per worker', async () => {
    await page.getByTestId('open-models').click();
    await page.getByTestId('remote-url').fill(redis!.url);
    await page.getByTestId('remote-connect').click();
    await page.getByTestId('remote-queue').waitFor();
    await page.getByTestId('remote-list').getByText('free').waitFor();
    expect(await page.getByTestId('models-sheet').innerText()).not.toContain('e2e-secret');
    await page.getByTestId('remote-workers').scrollIntoViewIfNeeded();
    await shot('42-remote-workers');
    await page.keyboard.press('Escape');
    await page.getByTestId('open-batch').click();
    await page.getByTestId('batch-clear').click();
    await runBatch(3);
    const lanes = page.getByTestId('batch-lanes');
    expect(await lanes.locator('.lane strong').allInnerTexts()).toEqual([worker!.worker.id]);
    await shot('43-batch-lanes');
    expect(pageErrors).toEqual([]);
  });

  it.skipIf(!redisServerPath)(
    "after a restart, asks for the remembered queue's password, then reconnects",
    async () => {
      // Serve mode runs under plain Node: no keychain, so the address is remembered and the password is not.
      const queue = `redis://127.0.0.1:${redis!.port}/0`;
      await serve.stop();
      serve = await startServeMode(models, [], serve.userDataDir);
      expect(readFileSync(join(serve.userDataDir, 'settings.json'), 'utf8')).not.toContain('e2e-secret');
      await page.goto(serve.url);
      await page.getByTestId('open-models').click();
      const pending = page.getByTestId('remote-pending');
      await pending.waitFor();
      expect(await pending.innerText()).toContain(`Type the password of ${queue} to reconnect`);
      expect(await pending.innerText()).toContain('Edits run on this machine until it is connected.');
      expect(await page.getByTestId('remote-url').inputValue()).toBe(queue);
      await page.getByTestId('remote-password').fill('e2e-secret');
      await page.getByTestId('remote-workers').scrollIntoViewIfNeeded();
      await shot('44-remote-password');
      await page.getByTestId('remote-connect').click();
      await page.getByTestId('remote-list').getByText('free').waitFor();
      expect(await page.getByTestId('remote-queue').innerText()).toContain(queue);
      expect(pageErrors).toEqual([]);
    },
  );
});
