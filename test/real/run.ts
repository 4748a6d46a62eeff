/**
 * `npm run test:real -- --models <dir> [--out <dir>] [--steps n] [--provider p]`: the engine's edits with real
 * downloaded models (models.md: an SD1.5 set with the residual UNet + a Canny or IIR ControlNet, optionally LCM).
 * Skips, saying so plainly, when no real model set is installed. Saves every output (and the control preview) for
 * a person to look at, and checks the exact-pixels-outside-the-mask guarantee on each.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine } from '../../main/cli/options';
import { compositeMask } from '../../main/engine/composite';
import { listInstalled } from '../../main/models/receipt';
import { EditEngine, type EditOptions } from '../../main/engine/pipeline';
import { decodeImage } from '../../main/image/decode';
import { encodeImage } from '../../main/image/encode';
import { writeFileAtomic } from '../../main/image/writeFile';
import { computeWorkingFrame } from '../../shared/image/geometry';
import { createMask, type Mask, type Rect } from '../../shared/image/types';
import { isRealModel } from './realSets';

const images = join(import.meta.dirname, '..', 'fixtures', 'images');

interface Case {
  readonly name: string;
  readonly photo: string;
  readonly roiPx: Rect;
  readonly options: Partial<EditOptions> & { prompt: string };
}

/** The paper's kinds of edit on the shared photos: colour (low noise) and texture (high noise). */
const cases: readonly Case[] = [
  {
    name: 'cat-tiger',
    photo: 'chelsea.png',
    roiPx: { x0: 110, y0: 20, x1: 330, y1: 290 },
    options: { prompt: 'a tiger', noise: 0.6 },
  },
  {
    name: 'coffee-green',
    photo: 'coffee.png',
    roiPx: { x0: 130, y0: 60, x1: 470, y1: 330 },
    options: { prompt: 'a cup of green tea', noise: 0.2 },
  },
  {
    name: 'grass-sand',
    photo: 'grass.png',
    roiPx: { x0: 96, y0: 96, x1: 416, y1: 416 },
    options: { prompt: 'sand', noise: 0.9 },
  },
  {
    name: 'astronaut-red',
    photo: 'astronaut.png',
    roiPx: { x0: 150, y0: 250, x1: 420, y1: 512 },
    options: { prompt: 'an astronaut in a red suit', noise: 0.2 },
  },
];

function rectMask(width: number, height: number, r: Rect): Mask {
  const mask = createMask(width, height);
  for (let y = r.y0; y < Math.min(r.y1, height); y++)
    mask.data.fill(255, y * width + r.x0, y * width + Math.min(r.x1, width));
  return mask;
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      models: { type: 'string', valueName: 'dir', required: true, description: 'models folder' },
      out: { type: 'string', valueName: 'dir', description: 'where outputs go (default .cache/real)' },
      steps: { type: 'number', valueName: 'n', integer: true, min: 1, max: 150, default: 20, description: 'steps' },
      provider: { type: 'string', valueName: 'name', default: 'auto', description: 'execution provider' },
    },
    [],
  );
  const modelsDir = resolve(parsed.options.models);
  const installed = await listInstalled(modelsDir);
  const sds = installed.filter((m) => m.receipt.role === 'sd15' && isRealModel(m.dir, 'controlnet'));
  const controlnets = installed.filter(
    (m) => (m.receipt.role === 'controlnet-iir' || m.receipt.role === 'controlnet-canny') && isRealModel(m.dir),
  );
  const lcm = installed.find((m) => m.receipt.role === 'lcm' && isRealModel(m.dir, 'unet'));
  if (sds.length === 0 || controlnets.length === 0) {
    process.stdout.write(
      `test:real SKIPPED: no real SD1.5 set with a residual UNet (controlnet/model.onnx) and ControlNet in ${modelsDir}.\n` +
        'Install them with: npm run iir -- models pull sd15-fp16 controlnet-canny clip-tokenizer --models <dir>\n',
    );
    return 0;
  }
  const outDir = resolve(parsed.options.out ?? join(import.meta.dirname, '..', '..', '.cache', 'real'));
  mkdirSync(outDir, { recursive: true });
  const provider = parsed.options.provider as EditOptions['provider'];
  const engine = new EditEngine();
  let failures = 0;
  const sets = [
    ...controlnets.map((c) => ({
      sd: sds[0]!.id,
      controlnet: c.id,
      scheduler: 'dpmpp-2m',
      steps: parsed.options.steps,
    })),
    ...(lcm ? [{ sd: lcm.id, controlnet: controlnets[0]!.id, scheduler: 'lcm', steps: 4 }] : []),
  ];
  for (const set of sets) {
    for (const c of cases) {
      const photo = join(images, c.photo);
      const original = await decodeImage(photo);
      const mask = rectMask(original.width, original.height, c.roiPx);
      const started = performance.now();
      const result = await engine.edit({
        image: photo,
        mask,
        modelsDir,
        options: { seed: 1, ...set, ...(provider ? { provider } : {}), ...c.options },
        onProgress: (p) => {
          if (p.type === 'step' && process.stderr.isTTY)
            process.stderr.write(`\r${c.name} ${set.controlnet}: step ${p.i}/${p.n}   `);
        },
      });
      const v = result.variations[0]!;
      const path = join(outDir, `${c.name}-${set.controlnet}-${set.scheduler}.png`);
      await writeFileAtomic(path, await encodeImage(v.rgb, v.alpha, { format: 'png', metadata: v.metadata }));
      const frame = computeWorkingFrame(original, { shortSide: 512 });
      const blend = compositeMask(mask, frame, 8, 8);
      let changedOutside = 0;
      for (let i = 0; i < blend.data.length; i++) {
        if (blend.data[i] !== 0) continue;
        for (let k = 0; k < 3; k++) if (v.rgb.data[3 * i + k] !== original.rgb.data[3 * i + k]) changedOutside++;
      }
      if (changedOutside > 0) failures++;
      process.stderr.write(
        `\r${c.name} (${result.modelSet.engine}, ${set.scheduler}, ${Object.values(result.providers).join('/')}): ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s, ${(v.denoise.runMs / v.denoise.steps).toFixed(0)} ms/step` +
          `${changedOutside > 0 ? `, FAIL: ${changedOutside} bytes changed outside the mask` : ''} → ${path}\n`,
      );
    }
  }
  await engine.dispose();
  process.stdout.write(
    `test:real ${failures === 0 ? 'passed' : `FAILED (${failures})`}: outputs in ${outDir} — look at them\n`,
  );
  return failures === 0 ? 0 : 1;
}

const code = await main();
process.stdout.write('', () => process.exit(code));
