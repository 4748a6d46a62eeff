/**
 * Fixture edits on WebGPU (SwiftShader on machines without a GPU: see test/helpers/webgpu.ts). Skipped, saying why,
 * where no WebGPU adapter exists.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preflight } from '../../../main/engine/providers';
import { runEdit, type EditOptions, type EditResult } from '../../../main/engine/pipeline';
import { createMask, type Mask } from '../../../shared/image/types';
import { ensureFixtures } from '../../fixtures/models/all';
import { useSoftwareWebgpu } from '../../helpers/webgpu';

const chelsea = join(import.meta.dirname, '..', '..', 'fixtures', 'images', 'chelsea.png');
let models: string;
const unavailable = await useSoftwareWebgpu();
if (unavailable) console.warn(`WebGPU tests skipped: ${unavailable}`);

function roi(): Mask {
  const mask = createMask(451, 300);
  for (let y = 90; y < 210; y++) mask.data.fill(255, y * 451 + 150, y * 451 + 300);
  return mask;
}

function edit(options: Partial<EditOptions>): Promise<EditResult> {
  const base: EditOptions = { prompt: 'a green cat', steps: 2, size: 256, seed: 4, sd: 'sd15' };
  return runEdit({ image: chelsea, mask: roi(), modelsDir: models, options: { ...base, ...options } });
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

beforeAll(() => {
  models = ensureFixtures();
});

describe.skipIf(unavailable !== undefined)('edits on WebGPU', () => {
  it('auto keeps the CPU on a software adapter; a WebGPU edit matches the CPU within 1/255, residuals on the device', async () => {
    const report = await preflight();
    const webgpu = report.providers.find((p) => p.name === 'webgpu')!;
    if (webgpu.software !== undefined) expect(report.auto).toBe('cpu');
    const options = { controlnet: 'controlnet-iir' };
    const gpu = await edit({ ...options, provider: 'webgpu' });
    expect(Object.values(gpu.providers)).toEqual(['webgpu', 'webgpu', 'webgpu', 'webgpu', 'webgpu']);
    const cpu = await edit({ ...options, provider: 'cpu' });
    expect(maxDifference(gpu.variations[0]!.rgb.data, cpu.variations[0]!.rgb.data)).toBeLessThanOrEqual(1);
    // the ControlNet's residuals stay on the device: none crosses JS (on CPU all 13 do, each way, every step)
    expect(gpu.variations[0]!.denoise.residualBytes).toBe(0);
    expect(cpu.variations[0]!.denoise.residualBytes).toBeGreaterThan(0);
  });
});
