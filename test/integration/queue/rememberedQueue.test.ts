import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteState } from '../../../shared/api';
import { parseQueueUrl } from '../../../main/queue/connection';
import { QueueMemory, type SecretBox } from '../../../main/queue/queueMemory';
import { RemoteWorkersService } from '../../../main/queue/remoteService';
import { startServe } from '../../../main/server/run';
import { SettingsStore } from '../../../main/services/settings';
import { freePort, redisServerPath, startRedis, type TestRedis } from '../../helpers/redis';
import { cacheDir } from '../../setup/global';
import { until } from './helpers';

const password = `pw-${process.pid}-s3cret`;
/** A keychain stand-in: sealed text that never shows the secret. */
const box: SecretBox = {
  seal: (secret) => Buffer.from(Buffer.from(secret).map((b) => b ^ 0x33)).toString('base64'),
  open: (sealed) => Buffer.from(Buffer.from(sealed, 'base64').map((b) => b ^ 0x33)).toString(),
};
const retry = { firstMs: 100, maxMs: 400 };
const services: RemoteWorkersService[] = [];
let redis: TestRedis;

/** The app's remote service over the settings in `dir`, as a (re)start makes it. */
async function start(dir: string, secrets: SecretBox | null = box) {
  const settings = await SettingsStore.open(dir);
  const service = new RemoteWorkersService({ memory: new QueueMemory(settings, secrets), retry });
  services.push(service);
  return { service, settings };
}

const display = (port: number) => `redis://127.0.0.1:${port}/0`;
const connectedTo = (service: RemoteWorkersService, port: number) => async () =>
  (await service.state()).queue === display(port);

describe.skipIf(!redisServerPath)('reconnecting to the remembered remote queue at start', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    redis = await startRedis({ password });
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('reconnects in the background after a restart, with the password sealed on disk', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-'));
    const first = await start(dir);
    expect((await first.service.connect(redis.url)).queue).toBe(display(redis.port));
    await first.service.close();
    await first.settings.flush();
    expect(readFileSync(join(dir, 'settings.json')).includes(password)).toBe(false);

    const again = await start(dir);
    again.service.resume();
    const starting = await again.service.state();
    expect(starting.queue).toBeNull();
    expect(starting.pending).toMatchObject({ queue: display(redis.port), reason: 'connecting' });
    await until(connectedTo(again.service, redis.port), 10_000);
    expect((await again.service.state()).pending).toBeNull();
  });

  it('stops retrying on a wrong password and asks for it, keeping the remembered user name', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-'));
    const first = await start(dir);
    await first.service.connect(redis.url.replace(`:${password}@`, `default:${password}@`));
    await first.service.close();
    // The password changed on the queue since: the kept one is now wrong.
    const stored = first.settings.get().remoteQueue!;
    await first.settings.set({ remoteQueue: { ...stored, sealedPassword: box.seal('old-password') } });

    const again = await start(dir);
    again.service.resume();
    await until(async () => (await again.service.state()).pending?.reason === 'password', 10_000);
    const asking = await again.service.state();
    expect(asking.pending!.message).toBe(`${display(redis.port)} refused the remembered password: type it again`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await again.service.state()).pending!.reason).toBe('password');
    const state = await again.service.connect(display(redis.port), { password });
    expect(state).toMatchObject({ queue: display(redis.port), pending: null });
    expect(again.service.queue!.address.options.username).toBe('default');
    expect(again.settings.get().remoteQueue!.sealedPassword).toBe(box.seal(password));
  });

  it('asks for the password at once where none could be kept (no keychain)', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-'));
    const first = await start(dir, null);
    await first.service.connect(redis.url);
    await first.service.close();
    const again = await start(dir, null);
    again.service.resume();
    expect((await again.service.state()).pending).toEqual({
      queue: display(redis.port),
      reason: 'password',
      message: `Type the password of ${display(redis.port)} to reconnect (it is not kept on this computer)`,
    });
    // Typed into the address itself rather than the password field: that password is the one used.
    expect((await again.service.connect(redis.url)).queue).toBe(display(redis.port));
  });

  it('retries with backoff while the queue does not answer, then connects when it does', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-'));
    const port = await freePort();
    await new QueueMemory(await SettingsStore.open(dir), box).remember(parseQueueUrl(display(port)));
    const later = await start(dir);
    later.service.resume();
    let state: RemoteState | undefined;
    await until(async () => (state = await later.service.state()).pending?.reason === 'unreachable', 10_000);
    expect(state!.pending!.message).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:${port} is not answering; retrying (in \\d s|now)$`),
    );
    expect(state!.queue).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 800));
    const late = await startRedis({ port });
    try {
      await until(connectedTo(later.service, port), 10_000);
    } finally {
      await later.service.close();
      await late.stop();
    }
  });

  it('forgets on disconnect: the next start stays on this machine', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-'));
    const first = await start(dir);
    await first.service.connect(redis.url);
    expect(await first.service.disconnect()).toEqual({ queue: null, workers: [], pending: null });
    const again = await start(dir);
    again.service.resume();
    expect(await again.service.state()).toEqual({ queue: null, workers: [], pending: null });
  });

  it('serve mode reconnects to the remembered queue, and its --queue wins for the run without being remembered', async () => {
    const dir = mkdtempSync(join(cacheDir, 'remembered-serve-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
    const open = await startRedis();
    const serve = (queue?: string) =>
      startServe({
        host: '127.0.0.1',
        port: 0,
        open: false,
        rendererDir,
        env: { ...process.env, IIR_USER_DATA: join(dir, 'user-data') },
        log: () => undefined,
        printUrl: () => undefined,
        ...(queue === undefined ? {} : { queue }),
      });
    try {
      // Plain Node keeps no password: a queue without one comes back by itself.
      const remembered = await SettingsStore.open(join(dir, 'user-data'));
      await new QueueMemory(remembered, null).remember(parseQueueUrl(open.url));
      await remembered.flush();
      const first = await serve();
      await until(connectedTo(first.services.remote, open.port), 10_000);
      await first.stop();
      const second = await serve(redis.url);
      expect((await second.services.remote.state()).queue).toBe(display(redis.port));
      await second.stop();
      const kept = (await SettingsStore.open(join(dir, 'user-data'))).get().remoteQueue;
      expect(kept).toEqual({ address: display(open.port), sealedPassword: null, needsPassword: false });
    } finally {
      await open.stop();
    }
  });
});
