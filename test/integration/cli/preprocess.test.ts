import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { repoRoot, runIirProcess, startIir, type CliRun } from '../../helpers/cli';

const images = join(repoRoot, 'test', 'fixtures', 'images');
const work = join(repoRoot, '.cache', 'test', 'cli-preprocess');

const iir = (...args: string[]): Promise<CliRun> => runIirProcess(args);

function freshDir(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(work), { recursive: true });
  return dir;
}

async function rawOf(path: string) {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const outputs = ['canny.png', 'control.png', 'iir.png', 'mask.png', 'working.png'];

describe('iir preprocess', () => {
  it('writes the five files for a photo with a mask; outside the mask iir.png is working.png', async () => {
    const dir = freshDir('coffee');
    mkdirSync(work, { recursive: true });
    const maskPath = join(work, 'coffee-mask.png');
    // A rectangle in image px: the cup region of the 600×400 coffee photo.
    const mask = Buffer.alloc(600 * 400);
    for (let y = 100; y < 300; y++) mask.fill(255, y * 600 + 150, y * 600 + 450);
    await sharp(mask, { raw: { width: 600, height: 400, channels: 1 } })
      .png()
      .toFile(maskPath);

    const run = await iir(
      'preprocess',
      join(images, 'coffee.png'),
      '--mask',
      maskPath,
      '--noise',
      '0.3',
      '--seed',
      '11',
      '--out-dir',
      dir,
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      image: { format: 'png', width: 600, height: 400 },
      working: { width: 768, height: 512, sourcePx: { x0: 0, y0: 0, x1: 600, y1: 400 } },
      seed: 11,
      noise: 0.3,
      gray: true,
      noiseScope: 'roi',
      canny: { low: 100, high: 200 },
    });
    expect(Object.keys(report.timingsMs as object)).toEqual([
      'open',
      'decode',
      'mask',
      'iir',
      'canny',
      'control',
      'write',
      'total',
    ]);
    expect(readdirSync(dir).sort()).toEqual(outputs);

    const working = await rawOf(join(dir, 'working.png'));
    const iirImage = await rawOf(join(dir, 'iir.png'));
    const maskOut = await rawOf(join(dir, 'mask.png'));
    const edges = await rawOf(join(dir, 'canny.png'));
    const control = await rawOf(join(dir, 'control.png'));
    for (const image of [working, iirImage, maskOut, edges]) expect([image.width, image.height]).toEqual([768, 512]);
    expect([control.width, control.height]).toEqual([1536, 512]);

    let outside = 0;
    let changedOutside = 0;
    let grayInside = 0;
    let inside = 0;
    const edgeValues = new Set<number>();
    for (let i = 0; i < 768 * 512; i++) {
      const m = maskOut.data[i * maskOut.channels]!;
      const p = i * 3;
      if (m === 0) {
        outside++;
        for (let c = 0; c < 3; c++) if (iirImage.data[p + c] !== working.data[p + c]) changedOutside++;
      } else if (m === 255) {
        inside++;
        const [r, g, b] = [iirImage.data[p]!, iirImage.data[p + 1]!, iirImage.data[p + 2]!];
        if (r !== g || g !== b) grayInside++;
      }
      edgeValues.add(edges.data[i * edges.channels]!);
    }
    expect(changedOutside).toBe(0);
    // The 300×200 px rectangle of a 600×400 image is a quarter of it.
    expect(inside / (768 * 512)).toBeGreaterThan(0.23);
    expect(outside / (768 * 512)).toBeGreaterThan(0.7);
    // With noise each channel gets its own sample, so most RoI pixels are no longer gray.
    expect(grayInside / inside).toBeGreaterThan(0.5);
    expect([...edgeValues].sort((a, b) => a - b)).toEqual([0, 255]);
    // The left half of control.png is the IIR image.
    expect(control.data.subarray(0, 768 * 3).equals(iirImage.data.subarray(0, 768 * 3))).toBe(true);
  });

  it('without a mask the whole image is gray (σ = 0) and the frame has a 512 short side', async () => {
    const dir = freshDir('chelsea');
    const run = await iir('preprocess', join(images, 'chelsea.png'), '--out-dir', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^768×512 working frame from 451×300; seed \d+; wrote 5 files to .* in \d+ ms\n$/);
    const iirImage = await rawOf(join(dir, 'iir.png'));
    for (let p = 0; p < iirImage.data.length; p += 3 * 101) {
      expect(iirImage.data[p]).toBe(iirImage.data[p + 1]);
      expect(iirImage.data[p + 1]).toBe(iirImage.data[p + 2]);
    }
    const maskOut = await rawOf(join(dir, 'mask.png'));
    expect(maskOut.data.every((v) => v === 255)).toBe(true);
  });

  it('--focus crops around the mask at a 512 short side; the same seed gives the same bytes', async () => {
    const maskPath = join(work, 'astronaut-mask.png');
    mkdirSync(work, { recursive: true });
    const mask = Buffer.alloc(512 * 512);
    for (let y = 300; y < 380; y++) mask.fill(255, y * 512 + 200, y * 512 + 300);
    await sharp(mask, { raw: { width: 512, height: 512, channels: 1 } })
      .png()
      .toFile(maskPath);
    const args = ['--mask', maskPath, '--focus', '--noise', '0.8', '--seed', '5', '--json'];
    const [a, b] = [freshDir('focus-a'), freshDir('focus-b')];
    const [runA, runB] = await Promise.all([
      iir('preprocess', join(images, 'astronaut.png'), ...args, '--out-dir', a),
      iir('preprocess', join(images, 'astronaut.png'), ...args, '--out-dir', b),
    ]);
    expect(runA.code).toBe(0);
    expect(runB.code).toBe(0);
    const report = JSON.parse(runA.stdout) as { working: { width: number; height: number; sourcePx: object } };
    expect(Math.min(report.working.width, report.working.height)).toBe(512);
    expect(report.working.width % 64).toBe(0);
    expect(report.working.height % 64).toBe(0);
    const crop = report.working.sourcePx as { x0: number; y0: number; x1: number; y1: number };
    expect(crop.x0 <= 200 && crop.y0 <= 300 && crop.x1 >= 300 && crop.y1 >= 380).toBe(true);
    expect(crop.x1 - crop.x0).toBeLessThan(512);
    expect(readFileSync(join(a, 'iir.png')).equals(readFileSync(join(b, 'iir.png')))).toBe(true);
  });

  it('refuses bad arguments with exit 2, one line and no files', async () => {
    const dir = freshDir('bad-args');
    const photo = join(images, 'chelsea.png');
    const runs = await Promise.all([
      iir('preprocess', photo, '--noise', '2', '--out-dir', dir),
      iir('preprocess', photo, '--bogus', '--out-dir', dir),
      iir('preprocess', photo),
      iir('preprocess', photo, '--size', '500', '--out-dir', dir),
      iir('preprocess', photo, '--noise-scope', 'everywhere', '--out-dir', dir),
      iir('preprocess', photo, '--focus', '--out-dir', dir),
    ]);
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [2, `iir: --noise must be a number from 0 to 1, not "2" (see 'iir preprocess --help')\n`],
      [2, `iir: unknown option --bogus (see 'iir preprocess --help')\n`],
      [2, `iir: --out-dir <dir> is required (see 'iir preprocess --help')\n`],
      [2, `iir: --size must be a multiple of 64, not 500 (see 'iir preprocess --help')\n`],
      [2, `iir: --noise-scope must be one of roi, image, not "everywhere" (see 'iir preprocess --help')\n`],
      [2, `iir: --focus needs --mask (see 'iir preprocess --help')\n`],
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses bad images and masks with exit 1 and one line, leaving no files', async () => {
    mkdirSync(work, { recursive: true });
    const text = join(work, 'notes.png');
    writeFileSync(text, 'this is not a picture\n');
    const empty = join(work, 'empty.png');
    writeFileSync(empty, '');
    const jpeg = await sharp(join(images, 'coffee.png')).jpeg().toBuffer();
    const cut = join(work, 'cut.jpg');
    writeFileSync(cut, jpeg.subarray(0, jpeg.length >> 1));
    const blank = join(work, 'blank-mask.png');
    await sharp({ create: { width: 451, height: 300, channels: 3, background: '#000' } })
      .png()
      .toFile(blank);
    const dir = freshDir('bad-input');
    const photo = join(images, 'chelsea.png');
    const runs = await Promise.all([
      iir('preprocess', text, '--out-dir', dir),
      iir('preprocess', empty, '--out-dir', dir),
      iir('preprocess', cut, '--out-dir', dir),
      iir('preprocess', join(work, 'missing.jpg'), '--out-dir', dir),
      iir('preprocess', photo, '--mask', blank, '--out-dir', dir),
      iir('preprocess', photo, '--mask', join(images, 'grass.png'), '--out-dir', dir),
    ]);
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(runs[0].stderr).toBe('iir: notes.png is not an image (it looks like text)\n');
    expect(runs[1].stderr).toBe('iir: empty.png is empty (0 bytes)\n');
    expect(runs[2].stderr).toMatch(/^iir: cut\.jpg is truncated or corrupt \([^\n]+\)\n$/);
    expect(runs[3].stderr).toBe('iir: cannot read missing.jpg: no such file\n');
    expect(runs[4].stderr).toBe('iir: the mask is empty: nothing to edit\n');
    expect(runs[5].stderr).toBe(
      'iir: the mask grass.png is 512×512 but the image is 451×300; they must be the same size\n',
    );
    for (const run of runs) expect(run.stdout).toBe('');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('--help describes every option', async () => {
    const [program, command] = await Promise.all([iir('--help'), iir('preprocess', '--help')]);
    expect(program.code).toBe(0);
    expect(program.stdout).toMatch(/preprocess +write the working frame/);
    expect(command.code).toBe(0);
    for (const option of [
      '--mask <png>',
      '--noise <σ>',
      '--no-gray',
      '--noise-scope <scope>',
      '--seed <n>',
      '--canny-low <n>',
      '--canny-high <n>',
      '--size <short side>',
      '--focus',
      '--out-dir <dir>',
      '--json',
      '--help',
    ]) {
      expect(command.stdout).toContain(option);
    }
  });

  it.runIf(process.platform !== 'win32')('Ctrl-C cancels: exit 130 and no output file', async () => {
    // The image arrives through a named pipe, so the command is certainly running (its SIGINT handler installed,
    // blocked reading the image) when the signal is sent, and the image is written only once the CLI said it is
    // cancelling: no timing assumptions.
    mkdirSync(work, { recursive: true });
    const fifo = join(work, 'pipe.png');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    const dir = freshDir('interrupted');
    const child = startIir(['preprocess', fifo, '--out-dir', dir]);
    let stderr = '';
    const cancelling = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('cancelling')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const writer = await open(fifo, 'w');
    child.kill('SIGINT');
    await cancelling;
    await writer.writeFile(readFileSync(join(images, 'chelsea.png')));
    await writer.close();
    expect(await exited).toBe(130);
    expect(stderr).toBe('iir: cancelling… (Ctrl-C again to stop at once)\niir: cancelled\n');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
