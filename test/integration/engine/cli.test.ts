import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecipe } from '../../../main/engine/recipe';
import { encodeStored } from '../../../main/image/exportStored';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { repoRoot, runIirHere, startIir, type CliRun } from '../../helpers/cli';
import { proPhoto } from '../../unit/image/profiles';

const chelsea = join(repoRoot, 'test', 'fixtures', 'images', 'chelsea.png');
const work = join(cacheDir, 'cli-edit');
let models: string;
let maskPath: string;

const userData = { IIR_USER_DATA: join(work, 'user-data') };
const iirHere = (...args: string[]): Promise<CliRun> => runIirHere(args, { env: { ...process.env, ...userData } });

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

async function writeMask(path: string, width: number, height: number, fill: boolean): Promise<void> {
  const mask = Buffer.alloc(width * height);
  if (fill) for (let y = 90; y < 210; y++) mask.fill(255, y * width + 150, y * width + 300);
  await sharp(mask, { raw: { width, height, channels: 1 } })
    .png()
    .toFile(path);
}

beforeAll(async () => {
  models = ensureFixtures();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  maskPath = join(work, 'mask.png');
  await writeMask(maskPath, 451, 300, true);
});

const quick = ['--steps', '2', '--size', '256', '--provider', 'cpu'];

describe('iir edit', () => {
  it('writes variations as <name>-<seed>.<ext> with their recipes, and prints the recipe with --json', async () => {
    const out = join(work, 'cat.png');
    const run = await iirHere(
      'edit',
      chelsea,
      '--mask',
      maskPath,
      '--prompt',
      'a green cat',
      '--models',
      models,
      '--sd',
      'sd15',
      '--controlnet',
      'controlnet-iir',
      ...quick,
      '--seed',
      '5',
      '--variations',
      '2',
      '--out',
      out,
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      outputs: { path: string; seed: number }[];
      recipe: { seed: number; engine: string };
      providers: Record<string, string>;
      timingsMs: Record<string, number>;
    };
    expect(report.outputs).toEqual([
      { path: join(work, 'cat-5.png'), seed: 5 },
      { path: join(work, 'cat-6.png'), seed: 6 },
    ]);
    expect(report.recipe.engine).toBe('iir-trained');
    expect(report.providers.unet).toBe('cpu');
    expect(report.timingsMs.denoise).toBeGreaterThan(0);
    expect((await readRecipe(join(work, 'cat-6.png'))).seed).toBe(6);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps a 16-bit ProPhoto TIFF as 16-bit TIFF with its profile, and names what JPEG cannot keep before writing', async () => {
    const pixels = await sharp(chelsea).removeAlpha().toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
    const stored = new Uint16Array(pixels.buffer, pixels.byteOffset, pixels.length / 2);
    const image = {
      width: 451,
      height: 300,
      channels: 3,
      colourChannels: 3,
      hasAlpha: false,
      depth: 16,
      space: 'rgb',
    } as const;
    const meta = { exif: null, exifTree: null, xmp: null, iptc: null, icc: proPhoto, orientation: 1 };
    const source = join(work, 'prophoto16.tif');
    const options = { format: 'tiff', text: {}, removeLocation: false } as const;
    writeFileSync(source, (await encodeStored({ ...image, data: stored }, meta, proPhoto, options)).bytes);
    const args = ['edit', source, '--mask', maskPath, '--prompt', 'a green cat', '--models', models, '--sd', 'sd15'];
    const tif = join(work, 'prophoto16-edited.tif');
    const run = await iirHere(...args, '--controlnet', 'controlnet-iir', ...quick, '--out', tif, '--json');
    expect(run.code).toBe(0);
    const meta16 = await sharp(tif).metadata();
    expect([meta16.format, meta16.depth, Buffer.from(meta16.icc!).equals(Buffer.from(proPhoto))]).toEqual([
      'tiff',
      'ushort',
      true,
    ]);
    expect((JSON.parse(run.stdout) as { notes: string[] }).notes).toEqual([]);
    const jpg = join(work, 'prophoto16-edited.jpg');
    const lossy = await iirHere(...args, '--controlnet', 'controlnet-iir', ...quick, '--out', jpg, '--remove-location');
    expect(lossy.code).toBe(0);
    expect(lossy.stderr).toContain('note: JPEG holds 8 bits per channel: the 16-bit values are rounded');
    expect((await readRecipe(jpg)).output).toMatchObject({ format: 'jpeg', removeLocation: true });
  });

  it('lists the providers with their self-test results', async () => {
    const run = await iirHere('devices', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { auto: string; providers: { name: string; isWorking: boolean }[] };
    expect(report.providers.map((p) => p.name)).toEqual(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    expect(report.providers.find((p) => p.name === report.auto)?.isWorking).toBe(true);
  });

  it('fails with one clear line for bad input', async () => {
    const out = join(work, 'bad.png');
    const base = ['edit', chelsea, '--prompt', 'x', '--models', models, '--out', out, '--steps', '2', '--size', '256'];
    const empty = join(work, 'empty.png');
    await writeMask(empty, 451, 300, false);
    const small = join(work, 'small.png');
    await writeMask(small, 200, 100, false);
    const cases: [string[], RegExp][] = [
      [['--mask', empty, '--sd', 'sd15'], /nothing to edit/],
      [['--mask', small, '--sd', 'sd15'], /200×100.*451×300|451×300.*200×100/],
      [['--mask', maskPath, '--sd', 'sd15', '--controlnet', 'controlnet-x'], /models pull controlnet-x/],
      [['--mask', maskPath, '--sd', join(work, 'no-such-folder')], /model folder .*no-such-folder does not exist/],
      [['--mask', maskPath, '--guidance', '99'], /--guidance/],
      [['--mask', maskPath, '--provider', 'tpu'], /--provider must be one of/],
      [['--mask', maskPath, '--scheduler', 'plms'], /--scheduler must be one of/],
    ];
    for (const [args, message] of cases) {
      const run = await iirHere(...base, ...args);
      expect(run.code === 1 || run.code === 2).toBe(true);
      expect(lastLine(run.stderr)).toMatch(message);
      expect(lastLine(run.stderr)).not.toMatch(/\bat \//);
    }
    expect(existsSync(out)).toBe(false);
  });

  it.runIf(process.platform !== 'win32')('Ctrl-C cancels: exit 130 and no output file', async () => {
    const fifo = join(work, 'pipe.png');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    const dir = join(work, 'interrupted');
    mkdirSync(dir, { recursive: true });
    const child = startIir(
      [
        'edit',
        fifo,
        '--mask',
        maskPath,
        '--prompt',
        'a cat',
        '--models',
        models,
        '--sd',
        'sd15',
        ...quick,
        '--out',
        join(dir, 'out.png'),
      ],
      userData,
    );
    let stderr = '';
    const cancelling = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('cancelling')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const writer = await Promise.race([
      open(fifo, 'w'),
      exited.then((code) => {
        throw new Error(`the CLI exited (${String(code)}) before reading the image: ${stderr}`);
      }),
    ]);
    child.kill('SIGINT');
    await cancelling;
    await writer.writeFile(readFileSync(chelsea));
    await writer.close();
    expect(await exited).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
