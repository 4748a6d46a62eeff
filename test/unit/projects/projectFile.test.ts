import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type ProjectContents, packProject, unpackProject } from '../../../main/projects/projectFile';
import { readZip, writeZip } from '../../../main/projects/zip';
import type { ProjectManifest } from '../../../shared/api/projects';

const python = '/usr/bin/python3';
const photoPath = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'coffee.png');
const width = 600;
const height = 400;

const recipe = {
  prompt: 'a green cup',
  noise: 0.1,
  gray: true,
  seed: 1234,
  models: ['sd15-fp16', 'controlnet-canny'],
  provider: 'cpu',
  startedAt: 1_700_000_000_000,
  durationMs: 2100,
  params: { prompt: 'a green cup', noise: 0.1, seed: 1234, variations: 1 },
};

const manifest: ProjectManifest = {
  schemaVersion: 1,
  app: 'IIR Studio',
  savedAt: '2026-11-29T04:00:00.000Z',
  original: { name: 'coffee.png', width, height },
  base: 'r1',
  images: [
    { key: 'r1', recipe },
    { key: 'r2', recipe: { ...recipe, seed: 99 } },
  ],
  results: [
    { key: 'r1', generation: 1 },
    { key: 'r2', generation: 1 },
  ],
  history: {
    entries: [
      { time: 1, base: 'original', step: { kind: 'open', name: 'coffee.png' } },
      { time: 2, base: 'original', step: { kind: 'mask', label: 'brush' } },
      { time: 3, base: 'original', step: { kind: 'generate', results: ['r1', 'r2'], recipe } },
      { time: 4, base: 'r1', step: { kind: 'keep', result: 'r1', previous: 'original', recipe } },
    ],
    cursor: 3,
  },
};

function mask(seed: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * seed) % 7 === 0 ? 255 : (i % 251) * (seed & 1);
  return { width, height, data };
}

async function resultPng(shift: number): Promise<{ png: Uint8Array; rgb: Buffer }> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 31 + shift) & 255;
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { png: new Uint8Array(png), rgb };
}

async function contents(): Promise<ProjectContents & { rgbs: Buffer[] }> {
  const [r1, r2] = await Promise.all([resultPng(1), resultPng(2)]);
  return {
    manifest,
    original: new Uint8Array(readFileSync(photoPath)),
    masks: { roi: mask(3), protect: mask(4) },
    files: new Map([
      ['images/r1.png', r1.png],
      ['images/r2.png', r2.png],
    ]),
    rgbs: [r1.rgb, r2.rgb],
  };
}

describe('.iirproj project files', () => {
  it('keeps the original bytes untouched, the masks and every image lossless, and the history', async () => {
    const input = await contents();
    const bytes = await packProject(input);
    const back = await unpackProject(bytes);
    expect(Buffer.from(back.original).equals(readFileSync(photoPath))).toBe(true);
    expect(Buffer.from(back.masks.roi.data).equals(Buffer.from(input.masks.roi.data))).toBe(true);
    expect(Buffer.from(back.masks.protect.data).equals(Buffer.from(input.masks.protect.data))).toBe(true);
    for (const [i, key] of ['r1', 'r2'].entries()) {
      const decoded = await sharp(back.need(`images/${key}.png`))
        .removeAlpha()
        .raw()
        .toBuffer();
      expect(decoded.equals(input.rgbs[i]!)).toBe(true);
    }
    expect(back.manifest).toEqual(manifest);
  });

  it.skipIf(!existsSync(python))('is a zip other tools read, with a versioned project.json', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'iir-proj-')), 'coffee.iirproj');
    writeFileSync(path, await packProject(await contents()));
    const script = [
      'import sys, zipfile, json',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'm = json.loads(z.read("project.json"))',
      'print(json.dumps([sorted(z.namelist()), m["schemaVersion"], m["history"]["cursor"]]))',
    ].join('\n');
    const result = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      ['images/r1.png', 'images/r2.png', 'masks/protect.png', 'masks/roi.png', 'original/coffee.png', 'project.json'],
      1,
      3,
    ]);
  });

  it('refuses a newer format, a missing file and an image without pixels in plain words', async () => {
    const input = await contents();
    const files = readZip(await packProject(input));
    const rezip = (change: (name: string, data: Uint8Array) => Uint8Array | null) =>
      writeZip(
        [...files].flatMap(([name, data]) => {
          const next = change(name, data);
          return next ? [{ name, data: next }] : [];
        }),
      );
    const newer = rezip((name, data) =>
      name === 'project.json' ? new TextEncoder().encode(JSON.stringify({ ...manifest, schemaVersion: 3 })) : data,
    );
    await expect(unpackProject(newer)).rejects.toThrow(
      'this project was saved by a newer IIR Studio (format 3; this one reads up to 2): update the app to open it',
    );
    const noMask = rezip((name, data) => (name === 'masks/roi.png' ? null : data));
    await expect(unpackProject(noMask)).rejects.toThrow('this project file is damaged (masks/roi.png is missing)');
    await expect(
      packProject({ ...input, files: new Map([['images/r1.png', input.files.get('images/r1.png')!]]) }),
    ).rejects.toThrow('the project has no pixels for image r2');
  });
});
