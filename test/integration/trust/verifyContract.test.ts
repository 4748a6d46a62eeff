import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../../main/services/app';
import { ensureFixtures } from '../../fixtures/models/all';
import { writeFixtureReceipt } from '../../fixtures/models/receipt';
import { scratch, startApp } from './helpers';

let services: AppServices;

beforeAll(async () => {
  services = await startApp();
  const models = scratch('verify-contract');
  const fixtures = ensureFixtures();
  cpSync(join(fixtures, 'controlnet-canny'), join(models, 'controlnet-canny'), { recursive: true });
  // Its files match its receipt byte for byte, but a ControlNet is no SAM: it fails the SAM contract.
  cpSync(join(fixtures, 'controlnet-canny'), join(models, 'not-a-sam'), { recursive: true });
  writeFixtureReceipt(join(models, 'not-a-sam'), 'not-a-sam', 'Not a SAM', 'sam');
  const set = await services.router.dispatch('settings:set', { modelsDir: models }, { transport: 'websocket' });
  expect(set.ok).toBe(true);
});

afterAll(async () => {
  await services.dispose();
});

describe('models:verify checks the hashes and the role contract', () => {
  it('reports a model whose files fail its role contract as not ok, with the reason in one line', async () => {
    const envelope = await services.router.dispatch('models:verify', {}, { transport: 'websocket' });
    expect(envelope.ok).toBe(true);
    const results = envelope.ok
      ? (envelope.value as { results: { id: string; ok: boolean; problems: string[] }[] }).results
      : [];
    expect(results.find((r) => r.id === 'controlnet-canny')).toEqual({
      id: 'controlnet-canny',
      ok: true,
      problems: [],
    });
    const failed = results.find((r) => r.id === 'not-a-sam')!;
    expect(failed.ok).toBe(false);
    expect(failed.problems).toHaveLength(1);
    expect(failed.problems[0]).toMatch(/^not-a-sam: /);
    expect(failed.problems[0]).not.toContain('\n');
  });
});
