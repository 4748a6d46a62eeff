import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMask } from '../../../main/image/readMask';
import type { Rect } from '../../../shared/image/types';
import { loadPhoto, maskIou, paint, pureRed, rectMask, removeFixtures, segmentationFixtures } from './helpers';
import { runIirProcess, type CliRun } from '../../helpers/cli';

const redRect: Rect = { x0: 60, y0: 40, x1: 180, y1: 150 };

const iir = (...args: string[]): Promise<CliRun> => runIirProcess(args);

/** The CLI's own lines on stderr (ONNX Runtime's WebGPU probe may print a warning of its own). */
function iirLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('iir:') || line.startsWith('no region'));
}

let fixtures: ReturnType<typeof segmentationFixtures>;
let photoPath: string;
let models: string[];

beforeAll(async () => {
  fixtures = segmentationFixtures();
  photoPath = join(fixtures.root, 'chelsea-red.png');
  const painted = paint(await loadPhoto('chelsea'), [{ rect: redRect, rgb: pureRed }]);
  await sharp(painted.data, { raw: { width: 451, height: 300, channels: 3 } })
    .png()
    .toFile(photoPath);
  models = ['--grounding', fixtures.groundingDir, '--sam', fixtures.samDir, '--provider', 'cpu'];
});

afterAll(() => removeFixtures(fixtures.root));

describe('iir segment', () => {
  it('writes a full-resolution mask of the region and prints instances as JSON', async () => {
    const out = join(fixtures.root, 'red.png');
    const run = await iir('segment', photoPath, '--region', 'red. cat', ...models, '--out', out, '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      found: boolean;
      instances: { phrase: string; box: number[]; areaPx: number }[];
      maskAreaPx: number;
      providers: Record<string, { provider: string }>;
      timingsMs: Record<string, number>;
    };
    expect(json.found).toBe(true);
    expect(json.instances).toHaveLength(1);
    expect(json.instances[0]!.phrase).toBe('red');
    expect(json.providers.samDecoder!.provider).toBe('cpu');
    expect(json.timingsMs.decoder).toBeGreaterThanOrEqual(0);
    const mask = await readMask(out, { width: 451, height: 300 });
    expect(maskIou(mask, rectMask(451, 300, redRect))).toBeGreaterThan(0.97);
    expect(json.maskAreaPx).toBe(json.instances[0]!.areaPx);
  });

  it('writes an empty mask and explains when the text finds nothing', async () => {
    const out = join(fixtures.root, 'nothing.png');
    const run = await iir('segment', photoPath, '--region', 'cat', ...models, '--out', out);
    expect(run.code).toBe(0);
    expect(iirLines(run.stderr)).toEqual(['no region found for "cat" (best score 0.12 < 0.35)']);
    const mask = await readMask(out);
    expect(mask.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses bad prompts with one line and writes nothing', async () => {
    const out = join(fixtures.root, 'never.png');
    const box = await iir('segment', photoPath, '--box', '10,20,30', ...models, '--out', out);
    expect(box.code).toBe(1);
    expect(iirLines(box.stderr)).toEqual(['iir: malformed box "10,20,30": expected x0,y0,x1,y1 in image pixels']);
    const point = await iir('segment', photoPath, '--point', '500,10,1', ...models, '--out', out);
    expect(point.code).toBe(1);
    expect(iirLines(point.stderr)).toEqual(['iir: point 500,10 lies outside the 451×300 image']);
    const none = await iir('segment', photoPath, ...models, '--out', out);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --region <text>');
    mkdirSync(join(fixtures.root, 'empty-models'), { recursive: true });
    const missing = await iir(
      'segment',
      photoPath,
      '--box',
      '1,1,50,50',
      '--models',
      join(fixtures.root, 'empty-models'),
      '--out',
      out,
    );
    expect(missing.code).toBe(1);
    expect(iirLines(missing.stderr)[0]).toMatch(/model "slimsam-77" is not installed .* models pull slimsam-77/);
    expect(existsSync(out)).toBe(false);
  });
});
