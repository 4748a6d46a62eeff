/**
 * #10 end to end: a Display P3 JPEG (EXIF with GPS, the profile libvips embeds) opened, edited and exported through
 * the export panel as a serve-mode download; the exported file keeps the ICC profile and the EXIF byte for byte,
 * and every MCU outside the edit's blend region keeps its quantized DCT coefficients (the project's coefficient
 * reader, cross-checked by djpeg's block-exact decoding). Screenshots of the panel for a JPEG, a 16-bit TIFF and a
 * CMYK source go to test-results/e2e/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dilateMask, featherMask, thresholdMask } from '../../shared/image/mask';
import type { Mask } from '../../shared/image/types';
import { encodeStored } from '../../main/image/exportStored';
import { readJpeg, type JpegFrame } from '../../main/image/jpeg';
import type { StoredPixels } from '../../main/image/stored';
import { cmykJpeg, displayP3Jpeg } from '../helpers/photoFiles';
import { djpeg, hasLibjpegTools } from '../unit/image/jpeg/helpers';
import { proPhoto } from '../unit/image/profiles';
import { ensureFixtures } from '../fixtures/models/all';
import { launchChromium, openEditorPage, type ServeProcess, startServeMode } from './serve';

const shotsDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');
const workDir = mkdtempSync(join(tmpdir(), 'iir-e2e-export-'));
const hasExiftool = spawnSync('exiftool', ['-ver']).error === undefined;

let serve: ServeProcess;
let browser: Browser;
const pageErrors: string[] = [];

/** The fixture models (each with its install receipt) as a models folder of its own. */
function fixtureModelsFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'iir-e2e-models-')), 'models');
  cpSync(ensureFixtures(), dir, { recursive: true });
  return dir;
}

/** A 600×400 16-bit ProPhoto TIFF made from the coffee photo. */
async function proPhotoTiff(): Promise<Uint8Array> {
  const fixture = join(import.meta.dirname, '..', 'fixtures', 'images', 'coffee.png');
  const { data } = await sharp(fixture).removeAlpha().toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({
    resolveWithObject: true,
  });
  const image: StoredPixels = {
    ...{ width: 600, height: 400, channels: 3, colourChannels: 3, hasAlpha: false, depth: 16, space: 'rgb' },
    data: new Uint16Array(data.buffer, data.byteOffset, data.length / 2),
  };
  const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
  return (await encodeStored(image, meta, proPhoto, { format: 'tiff', text: {}, removeLocation: false })).bytes;
}

/** A new page with `path` opened, a stroke painted across the photo's lower left, and one result generated. */
async function openAndEdit(path: string, name: string): Promise<Page> {
  const page = await openEditorPage(browser, serve.url, pageErrors);
  try {
    await editIn(page, path);
  } catch (error) {
    await page.screenshot({ path: join(shotsDir, `export-failure-${name}.png`) });
    throw error;
  }
  return page;
}

async function editIn(page: Page, path: string): Promise<void> {
  // An earlier page's autosave is offered for recovery: this test starts afresh.
  const recovery = page.getByTestId('recovery');
  if (
    await recovery.waitFor({ timeout: 2000 }).then(
      () => true,
      () => false,
    )
  ) {
    await recovery.getByRole('button', { name: 'Discard' }).click();
  }
  await page.getByTestId('open-path').fill(path);
  await page.getByTestId('open-path-submit').click();
  await page.getByTestId('doc-facts').filter({ hasText: '600×400' }).waitFor();
  await page.getByTestId('tool-brush').click();
  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  // The 600×400 photo is fitted at 100 %, centred: imagePx → page px.
  const at = (x: number, y: number) => ({
    x: box.x + Math.round((box.width - 600) / 2) + x,
    y: box.y + Math.round((box.height - 400) / 2) + y,
  });
  await page.mouse.move(at(60, 300).x, at(60, 300).y);
  await page.mouse.down();
  await page.mouse.move(at(200, 330).x, at(200, 330).y, { steps: 8 });
  await page.mouse.up();
  await page
    .getByTestId('mask-area')
    .filter({ hasNotText: /^\s*0 px selected/ })
    .waitFor();
  await page.getByTestId('prompt').fill('a green ceramic cup');
  await page.getByTestId('prompt').press('Control+Enter');
  await page.getByTestId('result-0').waitFor({ timeout: 240_000 });
  await page.getByTestId('export-kept').waitFor();
}

async function panelShot(page: Page, name: string): Promise<void> {
  await page.getByTestId('export-panel').screenshot({ path: join(shotsDir, `${name}.png`) });
}

/** The MCUs (raster order) a stored-px region touches in `frame` (interleaved: 8·hmax × 8·vmax pixels each). */
function touchedMcus(frame: JpegFrame, region: Mask): Set<number> {
  const mcuW = 8 * frame.hmax;
  const mcuH = 8 * frame.vmax;
  const touched = new Set<number>();
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      if (region.data[y * region.width + x]) touched.add(((y / mcuH) | 0) * frame.mcusX + ((x / mcuW) | 0));
    }
  }
  return touched;
}

/** The MCUs whose quantized coefficients differ in any component between two frames of the same layout. */
function changedMcus(a: JpegFrame, b: JpegFrame): Set<number> {
  const changed = new Set<number>();
  a.components.forEach((component, index) => {
    const other = b.components[index]!;
    expect([other.h, other.v, other.blocksW]).toEqual([component.h, component.v, component.blocksW]);
    for (let block = 0; block < component.blocksW * component.blocksH; block++) {
      const bx = block % component.blocksW;
      const by = (block / component.blocksW) | 0;
      const mcu = ((by / component.v) | 0) * a.mcusX + ((bx / component.h) | 0);
      for (let k = 0; k < 64; k++) {
        if (component.coefs[block * 64 + k] !== other.coefs[block * 64 + k]) {
          changed.add(mcu);
          break;
        }
      }
    }
  });
  return changed;
}

/** Pixels of MCUs outside `touched` that djpeg (-nosmooth: block-exact) decodes differently in `a` and `b`. */
function djpegDifferences(a: Uint8Array, b: Uint8Array, frame: JpegFrame, touched: Set<number>): number {
  const [da, db] = [djpeg(a, true), djpeg(b, true)];
  let differing = 0;
  for (let y = 0; y < da.height; y++) {
    for (let x = 0; x < da.width; x++) {
      const mcu = ((y / (8 * frame.vmax)) | 0) * frame.mcusX + ((x / (8 * frame.hmax)) | 0);
      if (touched.has(mcu)) continue;
      const p = (y * da.width + x) * 3;
      if (da.data[p] !== db.data[p] || da.data[p + 1] !== db.data[p + 1] || da.data[p + 2] !== db.data[p + 2]) {
        differing++;
      }
    }
  }
  return differing;
}

async function download(page: Page, testId: string, to: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = join(workDir, to);
  await file.saveAs(path);
  return file.suggestedFilename();
}

describe('export through the panel, in Chromium against serve mode', () => {
  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    serve = await startServeMode(fixtureModelsFolder());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('edits a Display P3 JPEG and exports it with its profile, its EXIF and its untouched blocks', async () => {
    const source = await displayP3Jpeg();
    const sourcePath = join(workDir, 'IMG_0042.jpg');
    writeFileSync(sourcePath, source);
    const page = await openAndEdit(sourcePath, 'jpeg');

    // The panel, before writing: the source's family, what is kept, the MCUs to re-encode, Remove location (off).
    expect(await page.getByTestId('export-format').inputValue()).toBe('jpeg');
    expect(await page.getByTestId('export-name').inputValue()).toBe('IMG_0042-edited.jpg');
    expect(await page.getByTestId('export-kept').innerText()).toMatch(/^Keeps .*P3.* · 8-bit RGB · EXIF$/);
    expect(await page.getByTestId('export-keep-blocks').isChecked()).toBe(true);
    expect(await page.getByTestId('export-remove-location').isChecked()).toBe(false);
    const planned = (await page.getByTestId('export-blocks').innerText()).match(/^([\d,]+) of ([\d,]+) MCUs/);
    const [reencoded, total] = [Number(planned![1]!.replace(/,/g, '')), Number(planned![2]!.replace(/,/g, ''))];
    expect(total).toBe(38 * 25);
    expect(reencoded).toBeGreaterThan(0);
    expect(reencoded).toBeLessThan(total / 4);
    await panelShot(page, 'export-panel-jpeg');

    // The difference view counts in the file's stored values: nothing outside the region.
    await page.getByTestId('compare-difference').click();
    await page.getByTestId('difference-stats').filter({ hasText: '· 0 outside the region' }).waitFor();
    expect(await download(page, 'export', 'IMG_0042-edited.jpg')).toBe('IMG_0042-edited.jpg');
    await page
      .getByTestId('export-message')
      .filter({ hasText: `${reencoded} of ${total} blocks re-encoded` })
      .waitFor();
    const exported = new Uint8Array(readFileSync(join(workDir, 'IMG_0042-edited.jpg')));
    const [before, after] = [await sharp(source).metadata(), await sharp(exported).metadata()];
    expect(Buffer.compare(after.icc!, before.icc!)).toBe(0);
    expect(Buffer.compare(after.exif!, before.exif!)).toBe(0);
    if (hasExiftool) {
      const args = ['-j', '-Make', '-Model', '-GPSLatitude', join(workDir, 'IMG_0042-edited.jpg')];
      const listed = JSON.parse(spawnSync('exiftool', args, { encoding: 'utf8' }).stdout) as Record<string, string>[];
      const tags = listed[0]!;
      expect(tags).toMatchObject({ Make: 'Apple', Model: 'iPhone 15 Pro' });
      expect(tags.GPSLatitude).toMatch(/^51 deg 30/);
    }
    await checkBlocks(page, new Uint8Array(source), exported, reencoded);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('shows the panel for a 16-bit TIFF and a CMYK JPEG, with what each keeps and cannot keep', async () => {
    const tiffPath = join(workDir, 'scan.tif');
    writeFileSync(tiffPath, await proPhotoTiff());
    const tiff = await openAndEdit(tiffPath, 'tiff');
    expect(await tiff.getByTestId('export-format').inputValue()).toBe('tiff');
    expect(await tiff.getByTestId('export-kept').innerText()).toBe(
      'Keeps ProPhoto RGB compatible (test) · 16-bit RGB · no metadata',
    );
    await panelShot(tiff, 'export-panel-tiff16');
    await tiff.context().close();

    const cmykPath = join(workDir, 'print.jpg');
    writeFileSync(cmykPath, await cmykJpeg());
    const cmyk = await openAndEdit(cmykPath, 'cmyk');
    expect(await cmyk.getByTestId('export-kept').innerText()).toMatch(/ · 8-bit CMYK · EXIF$/);
    expect(await cmyk.getByTestId('export-notes').innerText()).toContain('CMYK colour, which block-keeping export');
    expect(await cmyk.getByTestId('export-remove-location').isVisible()).toBe(true);
    await panelShot(cmyk, 'export-panel-cmyk');
    await cmyk.getByTestId('export-format').selectOption('png');
    await cmyk.getByTestId('export-notes').filter({ hasText: 'PNG cannot hold CMYK' }).waitFor();
    expect(await cmyk.getByTestId('export-name').inputValue()).toBe('print-edited.png');
    expect(pageErrors).toEqual([]);
  });
});

/**
 * The exported JPEG against its source: outside the MCUs the edit's blend region touches (the painted mask, grown
 * and feathered as the engine does), every MCU keeps its coefficients, and djpeg decodes those MCUs identically.
 */
async function checkBlocks(page: Page, source: Uint8Array, exported: Uint8Array, reencoded: number): Promise<void> {
  const maskPath = join(workDir, 'mask.png');
  const [maskFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export mask' }).click(),
  ]);
  await maskFile.saveAs(maskPath);
  const { data, info } = await sharp(maskPath).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const mask: Mask = { width: info.width, height: info.height, data: new Uint8Array(data) };
  const region = featherMask(dilateMask(thresholdMask(mask), 8), 8);
  const [a, b] = [readJpeg(source), readJpeg(exported)];
  const touched = touchedMcus(a, region);
  const changed = changedMcus(a, b);
  expect(changed.size).toBeGreaterThan(0);
  expect(changed.size).toBeLessThanOrEqual(reencoded);
  expect(reencoded).toBeLessThanOrEqual(touched.size);
  expect([...changed].filter((mcu) => !touched.has(mcu))).toEqual([]);
  if (hasLibjpegTools) expect(djpegDifferences(source, exported, a, touched)).toBe(0);
}
