import { describe, expect, it, vi } from 'vitest';
import { CancelledError, IirError } from '../../../shared/errors';
import { EngineClient } from '../../../main/engine/process/client';
import type { EngineChild } from '../../../main/engine/process/launcher';
import type { EngineReply, EngineRequest } from '../../../main/engine/process/protocol';

/** An engine process stand-in the test drives: it records requests and replies or dies on demand. */
function fakeEngine() {
  const children: {
    sent: EngineRequest[];
    reply: (message: EngineReply) => void;
    exit: (description: string) => void;
    kills: number;
  }[] = [];
  const launch = (): EngineChild => {
    let onMessage: (message: EngineReply) => void = () => undefined;
    let onExit: (description: string) => void = () => undefined;
    const record = {
      sent: [] as EngineRequest[],
      reply: (message: EngineReply) => onMessage(message),
      exit: (description: string) => onExit(description),
      kills: 0,
    };
    children.push(record);
    return {
      pid: 1000 + children.length,
      send: (message) => record.sent.push(message),
      onMessage: (listener) => (onMessage = listener),
      onExit: (listener) => (onExit = listener),
      kill: () => {
        record.kills++;
        onExit('killed by SIGKILL');
      },
    };
  };
  return { children, launch };
}

describe('EngineClient', () => {
  it('matches replies to requests by id and forwards progress', async () => {
    const engine = fakeEngine();
    const client = new EngineClient(engine.launch);
    const progress: unknown[] = [];
    const result = client.run({ kind: 'preflight', refresh: false }, { onProgress: (p) => progress.push(p) });
    const child = engine.children[0]!;
    expect(child.sent).toEqual([{ type: 'run', id: 1, task: { kind: 'preflight', refresh: false } }]);
    child.reply({ type: 'progress', id: 1, progress: { type: 'loading' } });
    child.reply({ type: 'progress', id: 99, progress: { type: 'loading' } });
    child.reply({ type: 'error', id: 1, error: { code: 'model_missing', message: 'no SD1.5 model' } });
    await expect(result).rejects.toEqual(new IirError('model_missing', 'no SD1.5 model'));
    expect(progress).toEqual([{ type: 'loading' }]);
  });

  it('hands the engine’s bug reports to the log, not the console', async () => {
    const engine = fakeEngine();
    const logged: string[] = [];
    const client = new EngineClient(engine.launch, 5000, (message) => logged.push(message));
    const errors = vi.spyOn(console, 'error');
    const result = client.run({ kind: 'preflight', refresh: false });
    engine.children[0]!.reply({ type: 'log', message: 'job edit: TypeError: x is undefined\n    at run' });
    engine.children[0]!.reply({ type: 'done', id: 1, value: { kind: 'preflight', report: {} } as never });
    await result;
    expect(logged).toEqual(['job edit: TypeError: x is undefined\n    at run']);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('fails the running task when the process dies and starts a new process for the next', async () => {
    const engine = fakeEngine();
    const client = new EngineClient(engine.launch);
    const first = client.run({ kind: 'preflight', refresh: false });
    engine.children[0]!.exit('killed by SIGKILL');
    await expect(first).rejects.toMatchObject({
      code: 'internal',
      message: 'The engine process stopped unexpectedly (killed by SIGKILL); it restarts on the next job.',
    });
    const second = client.run({ kind: 'preflight', refresh: true });
    expect(engine.children).toHaveLength(2);
    expect(client.pid).toBe(1002);
    engine.children[1]!.reply({ type: 'error', id: 2, error: { code: 'cancelled', message: 'cancelled' } });
    await expect(second).rejects.toBeInstanceOf(CancelledError);
  });

  it('kills an engine that does not stop within the grace period after a cancel, ending the task cancelled', async () => {
    vi.useFakeTimers();
    try {
      const engine = fakeEngine();
      const client = new EngineClient(engine.launch, 5000);
      const controller = new AbortController();
      const running = client.run({ kind: 'preflight', refresh: false }, { signal: controller.signal });
      controller.abort();
      const child = engine.children[0]!;
      expect(child.sent.at(-1)).toEqual({ type: 'cancel', id: 1 });
      vi.advanceTimersByTime(4999);
      expect(child.kills).toBe(0);
      vi.advanceTimersByTime(1);
      expect(child.kills).toBe(1);
      await expect(running).rejects.toBeInstanceOf(CancelledError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a cancelled background warm-up is never worth killing the engine (a search may run beside it)', async () => {
    vi.useFakeTimers();
    try {
      const engine = fakeEngine();
      const client = new EngineClient(engine.launch, 5000);
      const controller = new AbortController();
      const task = { kind: 'preflight', refresh: false } as const;
      const warming = client.run(task, { signal: controller.signal, killWhenStuck: false });
      controller.abort();
      const child = engine.children[0]!;
      expect(child.sent.at(-1)).toEqual({ type: 'cancel', id: 1 });
      vi.advanceTimersByTime(60_000);
      expect(child.kills).toBe(0);
      child.reply({ type: 'error', id: 1, error: { code: 'cancelled', message: 'cancelled' }, rss: 2 ** 30 });
      await expect(warming).rejects.toBeInstanceOf(CancelledError);
      expect(client.lastRss).toBe(2 ** 30);
    } finally {
      vi.useRealTimers();
    }
  });
});
