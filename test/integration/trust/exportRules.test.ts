/**
 * Spot checks that the CLI follows #10's rules for a Display P3 JPEG: `iir edit` writes a JPEG with the profile and
 * EXIF byte for byte and only the touched blocks re-encoded (said before and after writing), and "Remove location"
 * drops GPS only; `iir preprocess` hands the model an sRGB rendering converted with the file's profile.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJpeg } from '../../../main/image/jpeg';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { runIirHere, type CliRun } from '../../helpers/cli';
import { displayP3Jpeg } from '../../helpers/photoFiles';

const work = join(cacheDir, 'export-rules');
const userData = { IIR_USER_DATA: join(work, 'user-data') };
const iir = (...args: string[]): Promise<CliRun> => runIirHere(args, { env: { ...process.env, ...userData } });
const photo = join(work, 'IMG_0042.jpg');
const maskPath = join(work, 'mask.png');
let models: string;

beforeAll(async () => {
  models = ensureFixtures();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(photo, await displayP3Jpeg());
  const mask = Buffer.alloc(600 * 400);
  for (let y = 96; y < 200; y++) mask.fill(255, y * 600 + 200, y * 600 + 330);
  await sharp(mask, { raw: { width: 600, height: 400, channels: 1 } })
    .png()
    .toFile(maskPath);
});

/** MCUs (16×16 for this 4:2:0 file) whose luma coefficients differ. */
function changedLumaMcus(a: Uint8Array, b: Uint8Array): number[] {
  const [fa, fb] = [readJpeg(a), readJpeg(b)];
  const [ya, yb] = [fa.components[0]!, fb.components[0]!];
  const changed = new Set<number>();
  for (let block = 0; block < ya.blocksW * ya.blocksH; block++) {
    for (let k = 0; k < 64; k++) {
      if (ya.coefs[block * 64 + k] === yb.coefs[block * 64 + k]) continue;
      const [bx, by] = [block % ya.blocksW, (block / ya.blocksW) | 0];
      changed.add(((by / 2) | 0) * fa.mcusX + ((bx / 2) | 0));
      break;
    }
  }
  return [...changed];
}

describe('#10 rules in the CLI', () => {
  it('iir edit: a Display P3 JPEG keeps its profile, EXIF and untouched blocks; Remove location drops GPS only', async () => {
    const out = join(work, 'edited.jpg');
    const quick = [
      '--steps',
      '2',
      '--size',
      '256',
      '--provider',
      'cpu',
      '--sd',
      'sd15',
      '--controlnet',
      'controlnet-iir',
    ];
    const args = ['edit', photo, '--mask', maskPath, '--prompt', 'a green cup', '--models', models, ...quick];
    const run = await iir(...args, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('note: JPEG → JPEG: only the blocks the edit touches are re-encoded');
    const [source, edited] = [readFileSync(photo), readFileSync(out)];
    const [before, after] = [await sharp(source).metadata(), await sharp(edited).metadata()];
    expect(Buffer.compare(after.icc!, before.icc!)).toBe(0);
    expect(Buffer.compare(after.exif!, before.exif!)).toBe(0);
    // The mask (200–330, 96–200) grown and feathered (8 + 8 px) lies in MCU columns 11–21 and rows 4–13.
    const changed = changedLumaMcus(source, edited);
    expect(changed.length).toBeGreaterThan(0);
    const outside = changed.filter((mcu) => {
      const [x, y] = [mcu % 38, (mcu / 38) | 0];
      return x < 11 || x > 21 || y < 4 || y > 13;
    });
    expect(outside).toEqual([]);

    const private_ = join(work, 'edited-no-gps.jpg');
    expect((await iir(...args, '--out', private_, '--remove-location')).code).toBe(0);
    const gone = await sharp(readFileSync(private_)).metadata();
    expect(Buffer.compare(gone.icc!, before.icc!)).toBe(0);
    expect(gone.exif!.includes('iPhone 15 Pro')).toBe(true);
    expect(gone.exif!.length).toBe(before.exif!.length); // GPS unlinked and zeroed in place: maker notes stay valid
    expect(Buffer.compare(gone.exif!, before.exif!)).not.toBe(0);
  });

  it('iir preprocess: the working frame is the P3 photo converted to sRGB with its profile, not its raw values', async () => {
    const flat = join(work, 'flat-p3.jpg');
    // A flat, saturated Display P3 green: its sRGB rendering is far from its stored values.
    await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 40, g: 200, b: 60 } } })
      .withIccProfile('p3', { attach: true })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toFile(flat);
    const dir = join(work, 'pre');
    const run = await iir('preprocess', flat, '--out-dir', dir);
    expect(run.code, run.stderr).toBe(0);
    const working = await sharp(join(dir, 'working.png')).removeAlpha().raw().toBuffer();
    const lcms = await sharp(flat).toColourspace('srgb').raw().toBuffer();
    const stored = await sharp(flat, { ignoreIcc: true }).raw().toBuffer();
    const centre = (data: Buffer, width: number, height: number) => {
      const p = ((height >> 1) * width + (width >> 1)) * 3;
      return [data[p]!, data[p + 1]!, data[p + 2]!];
    };
    const info = await sharp(join(dir, 'working.png')).metadata();
    const shown = centre(working, info.width, info.height);
    const expected = centre(lcms, 600, 400);
    shown.forEach((v, c) => expect(Math.abs(v - expected[c]!)).toBeLessThanOrEqual(1));
    expect(Math.max(...shown.map((v, c) => Math.abs(v - centre(stored, 600, 400)[c]!)))).toBeGreaterThan(8);
  });
});
