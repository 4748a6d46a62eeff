import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, ImageId } from '../../../shared/api';
import { api } from '../../../renderer/src/api/client';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { exportName, useExportStore } from '../../../renderer/src/stores/exportStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
let chosen: string | null = '/home/me/Pictures/coffee-edited.png';
const bridge = {
  dialogs: { save: answer('dialogs:save', () => ({ path: chosen })) },
  images: {
    export: answer('images:export', (request) => ({ path: (request as { path: string }).path, bytes: 204_800 })),
    encode: answer('images:encode', () => ({ bytes: new Uint8Array(3072) })),
  },
  on: () => () => undefined,
};

function answer(channel: string, value: (request: unknown) => unknown) {
  return (request: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, request });
    return Promise.resolve({ ok: true, value: value(request) });
  };
}

const downloads: string[] = [];

beforeAll(() => {
  Object.defineProperty(window, 'iir', { value: bridge, configurable: true, writable: true });
  api(); // the client keeps the transport it was created with
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    downloads.push(this.download);
  };
});

beforeEach(() => {
  setActivePinia(createPinia());
  calls.length = 0;
  downloads.length = 0;
  chosen = '/home/me/Pictures/coffee-edited.png';
  useDocumentStore().adopt({
    id: 'img_base' as ImageId,
    kind: 'original',
    width: 4,
    height: 2,
    hasAlpha: false,
    name: 'coffee.jpg',
    path: null,
  });
});

afterEach(() => {
  (window as unknown as { iir?: unknown }).iir = bridge;
});

describe('export', () => {
  it('names the file after the photo and the format', () => {
    expect(exportName('coffee.jpg', 'png')).toBe('coffee-edited.png');
    expect(exportName('IMG_0001.HEIC.tif', 'jpeg')).toBe('IMG_0001.HEIC-edited.jpg');
    expect(exportName('', 'webp')).toBe('image-edited.webp');
  });

  it('desktop: asks the save dialog, then exports to exactly the path it answered', async () => {
    const store = useExportStore();
    await store.run();
    expect(calls).toEqual([
      { channel: 'dialogs:save', request: { defaultName: 'coffee-edited.png', format: 'png' } },
      {
        channel: 'images:export',
        request: { id: 'img_base', path: '/home/me/Pictures/coffee-edited.png', format: 'png', quality: 92 },
      },
    ]);
    expect(store.message).toBe('Saved /home/me/Pictures/coffee-edited.png (200 KB)');
  });

  it('desktop: a cancelled dialog exports nothing and says nothing', async () => {
    chosen = null;
    const store = useExportStore();
    await store.run();
    expect(calls.map((c) => c.channel)).toEqual(['dialogs:save']);
    expect([store.message, store.error]).toEqual([null, null]);
  });

  it('browser: downloads the encoded bytes and never asks main to write a path', async () => {
    (window as unknown as { iir?: unknown }).iir = undefined;
    const store = useExportStore();
    store.format = 'jpeg';
    store.quality = 80;
    await store.run();
    expect(calls).toEqual([{ channel: 'images:encode', request: { id: 'img_base', format: 'jpeg', quality: 80 } }]);
    expect(downloads).toEqual(['coffee-edited.jpg']);
    expect(store.message).toBe('Downloaded coffee-edited.jpg (3 KB)');
  });
});
