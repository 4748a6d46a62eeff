/**
 * Tiled VAE: tiles cover the grid with the promised overlap, the blend weights sum to 1, tiled decode and encode of
 * the fixture VAE equal the untiled runs, and tiles that disagree (as a real VAE's per-tile normalisation makes
 * them) blend without a seam.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight } from '../../../main/engine/providers';
import { createSession, type LoadedSession } from '../../../main/engine/sessions';
import { vaeDecode, vaeEncode } from '../../../main/engine/vae';
import { axisWeights, runTiled, tileStarts, tilesOf, vaeTileSize } from '../../../main/engine/vaeTiles';
import { Rng, fillGaussian } from '../../../shared/image/random';
import type { RgbImage } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';

let decoder: LoadedSession;
let encoder: LoadedSession;

beforeAll(async () => {
  const models = ensureFixtures();
  const options = { report: await preflight(), settings: { default: 'cpu' as const } };
  decoder = await createSession(join(models, 'sd15', 'vae_decoder', 'model.onnx'), 'vae_decoder', options);
  encoder = await createSession(join(models, 'sd15', 'vae_encoder', 'model.onnx'), 'vae_encoder', options);
});

afterAll(async () => {
  await decoder.session.release();
  await encoder.session.release();
});

describe('tile layout', () => {
  it('covers every length with the least overlap and ends at the border', () => {
    for (const length of [8, 40, 41, 64, 96, 97, 128, 250]) {
      const starts = tileStarts(length, vaeTileSize);
      const tile = Math.min(length, vaeTileSize.tile);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + tile).toBe(length);
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i - 1]! + tile - starts[i]!).toBeGreaterThanOrEqual(vaeTileSize.overlap);
        expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
      }
    }
    expect(tilesOf(64, 64)).toHaveLength(4); // 512²: 2 × 2
    expect(tilesOf(32, 32)).toHaveLength(1); // 256²: whole
  });

  it('weights of neighbouring tiles sum to 1 across the overlap, 0 at inner edges', () => {
    const overlap = 64;
    const a = axisWeights(320, overlap, { start: false, end: true });
    const b = axisWeights(320, overlap, { start: true, end: false });
    const shift = 320 - overlap; // b starts where a's overlap begins
    for (let x = 0; x < overlap; x++) expect(a[shift + x]! + b[x]!).toBeCloseTo(1, 6);
    expect(a[0]).toBe(1);
    expect(a[319]).toBe(0);
    expect(b[0]).toBe(0);
    expect(b[319]).toBe(1);
  });
});

describe('tiled VAE on the fixture models', () => {
  it('tiled decode equals the untiled decode (2 × 3 tiles)', async () => {
    const h = 64;
    const w = 80;
    const latents = fillGaussian(new Float32Array(4 * h * w), new Rng(3)).map((v) => v * 0.5);
    expect(tilesOf(h, w)).toHaveLength(6);
    const whole = await vaeDecode(decoder, latents, h, w, false);
    const tiled = await vaeDecode(decoder, latents, h, w, true);
    let worst = 0;
    for (let i = 0; i < whole.data.length; i++) worst = Math.max(worst, Math.abs(whole.data[i]! - tiled.data[i]!));
    expect(worst).toBeLessThanOrEqual(1); // rounding of values a float's last bit apart
    expect(tiled.width).toBe(640);
    expect(tiled.height).toBe(512);
  });

  it('tiled encode equals the untiled encode', async () => {
    const image: RgbImage = { width: 704, height: 512, data: new Uint8Array(704 * 512 * 3) };
    const rng = new Rng(5);
    for (let i = 0; i < image.data.length; i++) image.data[i] = Math.floor(rng.nextFloat() * 256);
    const whole = await vaeEncode(encoder, image, false);
    const tiled = await vaeEncode(encoder, image, true);
    expect(tiled.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - tiled[i]!));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('seams', () => {
  it('tiles that disagree blend smoothly: no step larger than the ramp allows', async () => {
    // each tile returns its own flat value, as a per-tile normalisation would shift a real VAE's colours
    const grid = { height: 64, width: 64, channels: 1, scale: 8 };
    let index = 0;
    const out = await runTiled(grid, (tile) => {
      const value = [0, 1, 0.5, 0.25][index++]!;
      return Promise.resolve(new Float32Array(tile.width * tile.height * 64).fill(value));
    });
    const ramp = (vaeTileSize.overlap * 8) / 2;
    let worst = 0;
    for (let y = 0; y < out.height; y++) {
      for (let x = 1; x < out.width; x++) {
        const at = y * out.width + x;
        worst = Math.max(worst, Math.abs(out.data[at]! - out.data[at - 1]!));
        if (y > 0) worst = Math.max(worst, Math.abs(out.data[at]! - out.data[at - out.width]!));
      }
    }
    // the largest disagreement is 1; a hard cut would step by 1, the ramp by at most 1/ramp per pixel
    expect(worst).toBeLessThanOrEqual(1 / ramp + 1e-6);
    expect(out.data[0]).toBe(0);
    expect(out.data[out.width - 1]).toBe(1);
  });

  it('reproduces any function of position exactly (each output pixel from the tiles that hold it)', async () => {
    const grid = { height: 50, width: 90, channels: 2, scale: 8 };
    const f = (c: number, x: number, y: number): number => Math.sin(x / 17 + c) * Math.cos(y / 23);
    const out = await runTiled(grid, (tile) => {
      const w = tile.width * 8;
      const h = tile.height * 8;
      const values = new Float32Array(2 * w * h);
      for (let c = 0; c < 2; c++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) values[(c * h + y) * w + x] = f(c, tile.x * 8 + x, tile.y * 8 + y);
      return Promise.resolve(values);
    });
    let worst = 0;
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < out.height; y++)
        for (let x = 0; x < out.width; x++) {
          const v = out.data[(c * out.height + y) * out.width + x]!;
          worst = Math.max(worst, Math.abs(v - f(c, x, y)));
        }
    expect(worst).toBeLessThan(1e-5);
  });
});
