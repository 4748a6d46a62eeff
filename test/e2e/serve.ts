import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, type Page, chromium } from 'playwright-core';
import { ensureFixtures } from '../fixtures/models/all';

const root = join(import.meta.dirname, '..', '..');

/** The shared test photographs, in `../shared` beside the repository (as CI and every worktree have it). */
export const sharedImagesDir = join(root, '..', 'shared', 'fixtures', 'images');

/** A shared test photograph's path; throws a one-line explanation when `../shared` is missing. */
export function sharedPhoto(name: 'chelsea.png' | 'coffee.png'): string {
  const path = join(sharedImagesDir, name);
  if (!existsSync(path)) {
    throw new Error(
      `the e2e tests open ${path}, which is missing: check out the shared fixtures beside the repository ` +
        `(../shared/fixtures/images), or copy test/fixtures/images there`,
    );
  }
  return path;
}

/** A running `iir serve` with its URL (token included). */
export interface ServeProcess {
  readonly url: string;
  readonly userDataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts serve mode on a free port with its own user-data folder (or `userDataDir`, as a restart would) and the given
 * models folder (and options).
 */
export async function startServeMode(
  modelsDir: string,
  extraArgs: readonly string[] = [],
  userDataDir = mkdtempSync(join(tmpdir(), 'iir-e2e-')),
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', join(root, 'main/cli/index.ts'), 'serve', '--port', '0'],
      ...['--models', modelsDir, '--user-data', userDataDir],
      ...extraArgs,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`serve mode exited (${String(code)}): ${stderr}`)));
  });
  return {
    url,
    userDataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Debian's Chromium, headless, with the flags this closed network needs (no background networking, no component
 * updates) and a fresh profile.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The editor as a person sees it at 1440×900 in the dark colour scheme, with downloads accepted: a new page at
 * `url` whose uncaught errors are collected in `pageErrors` (each suite expects none).
 */
export async function openEditorPage(browser: Browser, url: string, pageErrors: string[]): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return page;
}

/** A private copy of the fixture models in a fresh folder, for a suite that installs, breaks or deletes files in it. */
export function copyFixtureModels(): string {
  const models = join(mkdtempSync(join(tmpdir(), 'iir-e2e-models-')), 'models');
  cpSync(ensureFixtures(), models, { recursive: true });
  return models;
}

/** Serve mode on `modelsDir` (with `extraArgs`) and the editor open in a fresh Chromium (see `openEditorPage`). */
export async function startEditor(
  modelsDir: string,
  pageErrors: string[],
  extraArgs: readonly string[] = [],
): Promise<{ serve: ServeProcess; browser: Browser; page: Page }> {
  const serve = await startServeMode(modelsDir, extraArgs);
  const browser = await launchChromium();
  return { serve, browser, page: await openEditorPage(browser, serve.url, pageErrors) };
}

/** The painted region's area in pixels, as the editor's status bar shows it ("12,345 px"). */
export async function maskAreaOf(page: Page): Promise<number> {
  const text = await page.getByTestId('mask-area').innerText();
  return Number((text.match(/[\d,]+/)?.[0] ?? '').replace(/,/g, ''));
}

/** Opens the 600×400 photo at `path` through the path field and waits until the editor shows it. */
export async function openPhoto600(page: Page, path: string): Promise<void> {
  await page.getByTestId('open-path').fill(path);
  await page.getByTestId('open-path-submit').click();
  await page.getByTestId('doc-facts').filter({ hasText: '600×400' }).waitFor();
}

/**
 * Paints the region with the brush: one stroke from image x `x0` to `x1` at each image y in `ys`, on a 600×400 photo
 * fitted at 100 % and centred on the canvas; waits until the status bar counts the painted pixels.
 */
export async function brushStrokes(page: Page, x0: number, x1: number, ys: readonly number[]): Promise<void> {
  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  const at = (x: number, y: number) => ({
    x: box.x + Math.round((box.width - 600) / 2) + x,
    y: box.y + Math.round((box.height - 400) / 2) + y,
  });
  await page.getByTestId('tool-brush').click();
  for (const y of ys) {
    await page.mouse.move(at(x0, y).x, at(x0, y).y);
    await page.mouse.down();
    await page.mouse.move(at(x1, y).x, at(x1, y).y, { steps: 6 });
    await page.mouse.up();
  }
  await page.waitForFunction(() => /^[1-9]/.test(document.querySelector('[data-testid=mask-area]')!.textContent));
}
