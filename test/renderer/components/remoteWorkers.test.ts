import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, RemotePending, RemoteState } from '../../../shared/api';
import RemoteWorkers from '../../../renderer/src/components/RemoteWorkers.vue';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
let state: RemoteState;
let connectAnswer: (request: unknown) => Envelope<RemoteState>;

const queue = 'redis://queue-host:6379/0';
const pendingOf = (reason: RemotePending['reason'], message: string): RemoteState => ({
  queue: null,
  workers: [],
  pending: { queue, reason, message },
});

beforeAll(() => {
  const answer =
    (channel: string, value: () => Envelope<RemoteState>) =>
    (request: unknown): Promise<Envelope<RemoteState>> => {
      calls.push({ channel, request });
      return Promise.resolve(value());
    };
  const bridge = {
    remote: {
      connect: (request: unknown) => answer('remote:connect', () => connectAnswer(request))(request),
      disconnect: answer('remote:disconnect', () => {
        state = { queue: null, workers: [], pending: null };
        return { ok: true, value: state };
      }),
      workers: answer('remote:workers', () => ({ ok: true, value: state })),
    },
    on: () => () => undefined,
  };
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true });
});

let unmount: (() => void) | null = null;
beforeEach(() => {
  setActivePinia(createPinia());
  calls.length = 0;
  state = { queue: null, workers: [], pending: null };
  connectAnswer = () => ({ ok: true, value: { queue, workers: [], pending: null } });
});
afterEach(() => unmount?.());

async function panel() {
  const wrapper = mount(RemoteWorkers);
  unmount = () => wrapper.unmount();
  await flushPromises();
  return wrapper;
}

describe('Devices → Remote workers', () => {
  it('offers the queue address on this machine, with no password field and nothing pending', async () => {
    const wrapper = await panel();
    expect(wrapper.find('[data-testid="remote-url"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="remote-password"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="remote-pending"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="remote-forget"]').exists()).toBe(false);
  });

  it('says a remembered queue is not answering, that edits run here meanwhile, and can forget it', async () => {
    state = pendingOf('unreachable', 'queue-host:6379 is not answering; retrying in 8 s');
    const wrapper = await panel();
    const pending = wrapper.get('[data-testid="remote-pending"]');
    expect(pending.text()).toContain('queue-host:6379 is not answering; retrying in 8 s');
    expect(pending.text()).toContain('Edits run on this machine meanwhile.');
    expect(wrapper.find('[data-testid="remote-password"]').exists()).toBe(false);
    await wrapper.get('[data-testid="remote-forget"]').trigger('click');
    await flushPromises();
    expect(calls.map((c) => c.channel)).toContain('remote:disconnect');
    expect(wrapper.find('[data-testid="remote-pending"]').exists()).toBe(false);
  });

  it('says it is connecting to the remembered queue at start', async () => {
    state = pendingOf('connecting', 'Connecting to queue-host:6379…');
    const wrapper = await panel();
    expect(wrapper.get('[data-testid="remote-pending"]').text()).toContain('Connecting to queue-host:6379…');
    expect(wrapper.get('[data-testid="remote-pending"]').text()).toContain('Edits run on this machine meanwhile.');
  });

  it('asks for the password with the address filled in, sends it apart, and clears it', async () => {
    state = pendingOf('password', `${queue} refused the remembered password: type it again`);
    const wrapper = await panel();
    expect(wrapper.get('[data-testid="remote-pending"]').text()).toContain('refused the remembered password');
    expect((wrapper.get('[data-testid="remote-url"]').element as HTMLInputElement).value).toBe(queue);
    const field = wrapper.get('[data-testid="remote-password"]');
    expect(field.attributes('type')).toBe('password');
    await field.setValue('s3cret');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(calls.find((c) => c.channel === 'remote:connect')?.request).toEqual({ url: queue, password: 's3cret' });
    expect(wrapper.get('[data-testid="remote-queue"]').text()).toContain(queue);
    expect(wrapper.find('[data-testid="remote-pending"]').exists()).toBe(false);
    expect(wrapper.html()).not.toContain('s3cret');
  });

  it('keeps asking after a wrong password, with the error line and an empty password field', async () => {
    state = pendingOf('password', `Type the password of ${queue} to reconnect (it is not kept on this computer)`);
    connectAnswer = () => ({
      ok: false,
      error: { code: 'io_error', message: `the queue at ${queue} refused the user name or password` },
    });
    const wrapper = await panel();
    await wrapper.get('[data-testid="remote-password"]').setValue('wrong');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="remote-error"]').text()).toContain('refused the user name or password');
    expect((wrapper.get('[data-testid="remote-password"]').element as HTMLInputElement).value).toBe('');
    expect(wrapper.get('[data-testid="remote-pending"]').text()).toContain('Edits run on this machine until');
  });
});
