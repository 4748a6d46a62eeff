import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateMetricModels } from '../../../main/eval/models/locate';
import { MetricModels } from '../../../main/eval/models/metricModels';
import { pixelMetrics } from '../../../main/eval/pixels';
import { metricsDevice } from '../../../main/eval/compareRequest';
import { ensureFixtures } from '../../fixtures/models/all';
import { call, startServices } from '../shell/helpers';
import { editedCopy, photoCrop, rectMask, tempDir, writePng } from './helpers';

let services: Awaited<ReturnType<typeof startServices>>;
beforeAll(async () => {
  services = await startServices(ensureFixtures());
});
afterAll(async () => {
  await services.dispose();
});

describe('metrics:compare (the compare bar)', () => {
  it('measures in an engine process of its own: PSNR and LPIPS outside the region, CLIP on its crop', async () => {
    const dir = tempDir('eval-compare-');
    const original = await photoCrop(96, 72);
    const mask = rectMask(96, 72, 20, 16, 60, 50);
    const edited = editedCopy(original, mask, 9);
    const a = await call(services, 'images:open', { path: await writePng(join(dir, 'a.png'), original) });
    const b = await call(services, 'images:open', { path: await writePng(join(dir, 'b.png'), edited) });
    const value = await call(services, 'metrics:compare', {
      originalId: a.id,
      resultId: b.id,
      roi: { mask },
      prompt: 'a blue cup',
    });
    expect(services.engines.pids()[metricsDevice]).toEqual(expect.any(Number));
    const models = new MetricModels((await locateMetricModels(ensureFixtures())).found);
    const keep = Uint8Array.from(mask.data, (v) => (v < 128 ? 1 : 0));
    const lpips = await models.lpips(original, edited, keep);
    await models.release();
    expect(value.psnr).toBeCloseTo(pixelMetrics(original, edited, mask).psnr, 9);
    expect(value.psnrInfinite).toBe(false);
    expect(value.lpips).toBeCloseTo(lpips, 6);
    expect(value.clipRegion).toBeGreaterThan(0);
    expect(value.note).toBeNull();
  });

  it('refuses a malformed request or a region of another size with invalid_argument', async () => {
    const dir = tempDir('eval-compare-');
    const image = await call(services, 'images:open', {
      path: await writePng(join(dir, 'a.png'), await photoCrop(32, 24)),
    });
    const bad = [
      { originalId: image.id, resultId: image.id },
      { originalId: image.id, resultId: image.id, roi: { mask: rectMask(32, 24, 0, 0, 4, 4) }, prompt: 7 },
      { originalId: image.id, resultId: image.id, roi: { mask: rectMask(30, 24, 0, 0, 4, 4) } },
    ];
    for (const request of bad) {
      const envelope = await services.router.dispatch('metrics:compare', request, { transport: 'websocket' });
      expect(envelope.ok).toBe(false);
      if (!envelope.ok) expect(envelope.error.code).toBe('invalid_argument');
    }
  });
});
