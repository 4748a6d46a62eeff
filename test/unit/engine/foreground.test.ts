/**
 * A search goes first: while a foreground task (Find) runs in the engine process, a background warm-up creates no
 * session; it goes on once the search has ended, and stops between sessions when cancelled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EditEngine } from '../../../main/engine/pipeline';
import { foregroundIdle, inForeground } from '../../../main/engine/process/foreground';
import { ensureFixtures } from '../../fixtures/models/all';

const engine = new EditEngine();
afterEach(() => engine.dispose());

const options = { prompt: 'a green cat', steps: 2, size: 256, provider: 'cpu' as const, sd: 'sd15' };
const size = { width: 451, height: 300 };

function search(): { done: Promise<void>; finish: () => void } {
  let finish = (): void => undefined;
  const done = inForeground(() => new Promise<void>((resolve) => (finish = resolve)));
  return { done, finish };
}

describe('foreground tasks and the warm-up', () => {
  it('idle resolves at once with no search, and only after the search when one runs', async () => {
    await foregroundIdle();
    const running = search();
    let idle = false;
    const waiting = foregroundIdle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    running.finish();
    await running.done;
    await waiting;
    expect(idle).toBe(true);
  });

  it('a warm-up loads no session while a search runs, then loads them all', async () => {
    const modelsDir = ensureFixtures();
    const running = search();
    const warm = engine.warmUp({ modelsDir, options }, size, foregroundIdle);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(engine.loadedRoles()).toEqual([]);
    running.finish();
    const { loaded } = await warm;
    expect(loaded).toHaveLength(5);
  });

  it('a cancelled warm-up stops between sessions', async () => {
    const modelsDir = ensureFixtures();
    const controller = new AbortController();
    const running = search();
    const warm = engine.warmUp({ modelsDir, options, signal: controller.signal }, size, foregroundIdle);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    running.finish();
    await expect(warm).rejects.toMatchObject({ code: 'cancelled' });
    expect(engine.loadedRoles()).toEqual([]);
  });
});
