/**
 * WarmUps: one background warm-up at a time. A newer one for other sessions cancels the older; one for the same
 * sessions goes on; an edit needing other sessions cancels it, an edit needing the same ones lets it finish.
 */
import { describe, expect, it } from 'vitest';
import type { WarmUpTask } from '../../../main/engine/process/editTask';
import type { RunOptions } from '../../../main/engine/process/client';
import { CancelledError } from '../../../shared/errors';
import { WarmUps } from '../../../main/services/warmUps';

/** An engine pool whose tasks stay in flight until the test ends them. */
function fakePool() {
  const sent: { device: string; options: RunOptions; finish: () => void }[] = [];
  const pool = {
    client: (device: string) =>
      ({
        run: (_task: WarmUpTask, options: RunOptions = {}) =>
          new Promise((resolve, reject) => {
            options.signal?.addEventListener('abort', () => reject(new CancelledError()));
            sent.push({
              device,
              options,
              finish: () => resolve({ kind: 'warmup', loaded: ['unet'], expectedPeak: 1 }),
            });
          }),
      }) as never,
  };
  return { pool, sent };
}

const task = { kind: 'warmup' } as WarmUpTask;

describe('WarmUps', () => {
  it('a warm-up of other sessions supersedes the one in flight; the same sessions are not warmed twice', async () => {
    const { pool, sent } = fakePool();
    const warmUps = new WarmUps(pool);
    const first = warmUps.start('cpu', 'A', task);
    expect(warmUps.start('cpu', 'A', task)).toBe(first);
    expect(sent).toHaveLength(1);
    const second = warmUps.start('cpu', 'B', task);
    expect(sent[0]!.options.signal?.aborted).toBe(true);
    expect(sent[0]!.options.killWhenStuck).toBe(false);
    expect(await first).toBeNull();
    sent[1]!.finish();
    expect(await second).toMatchObject({ kind: 'warmup', loaded: ['unet'] });
  });

  it('an edit of the same sessions lets the warm-up finish; an edit of others cancels it', async () => {
    const { pool, sent } = fakePool();
    const warmUps = new WarmUps(pool);
    const same = warmUps.start('cpu', 'A', task);
    warmUps.beforeEdit('cpu', 'A');
    expect(sent[0]!.options.signal?.aborted).toBe(false);
    sent[0]!.finish();
    expect(await same).not.toBeNull();

    const other = warmUps.start('cpu', 'B', task);
    warmUps.beforeEdit('cpu', 'C');
    expect(sent[1]!.options.signal?.aborted).toBe(true);
    expect(await other).toBeNull();
  });

  it('an edit on another device cancels it too (two engines would hold the models twice)', async () => {
    const { pool, sent } = fakePool();
    const warmUps = new WarmUps(pool);
    void warmUps.start('cpu', 'A', task);
    warmUps.beforeEdit('webgpu', 'A');
    expect(sent[0]!.options.signal?.aborted).toBe(true);
    await warmUps.settled();
  });

  it('a failed warm-up is logged in one line and settles without an error', async () => {
    const logged: string[] = [];
    const pool = { client: () => ({ run: () => Promise.reject(new Error('no SD1.5 model installed')) }) as never };
    const warmUps = new WarmUps(pool, (message) => logged.push(message));
    expect(await warmUps.start('cpu', 'A', task)).toBeNull();
    expect(logged).toEqual(['warm-up failed (the edit will load its models itself): Error: no SD1.5 model installed']);
  });
});
