import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, ExportPlan, ImageId } from '../../../shared/api';
import { api } from '../../../renderer/src/api/client';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';
import { exportName, formatFamily, useExportStore, withExtension } from '../../../renderer/src/stores/exportStore';

// A fake of the project's own preload bridge: the renderer's client reads window.iir.
const calls: { channel: string; request: unknown }[] = [];
let chosen: string | null = '/home/me/Pictures/coffee-edited.png';
const bridge = {
  dialogs: { save: answer('dialogs:save', () => ({ path: chosen })) },
  images: {
    export: answer('images:export', (request) => ({ path: (request as { path: string }).path, bytes: 204_800 })),
    encode: answer('images:encode', () => ({
      bytes: new Uint8Array(3072),
      notes: ['JPEG is lossy: the whole image is re-encoded'],
    })),
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
const jpegFacts = { format: 'jpeg', space: 'rgb', depth: 8, profile: 'Display P3', metadata: ['EXIF'] } satisfies Omit<
  NonNullable<ExportPlan['source']>,
  'hasLocation'
>;

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
    expect(exportName('scan.tiff', 'tiff')).toBe('scan-edited.tif');
  });

  it('defaults to the format family of the source and keeps the extension of the name in step with the format', () => {
    expect(['a.JPG', 'b.jpeg', 'c.tif', 'd.TIFF', 'e.webp', 'f.png', 'g.avif', 'h'].map(formatFamily)).toEqual([
      'jpeg',
      'jpeg',
      'tiff',
      'tiff',
      'webp',
      'png',
      'png',
      'png',
    ]);
    expect(withExtension('holiday.v2.jpg', 'tiff')).toBe('holiday.v2.tif');
    expect(withExtension('holiday', 'webp')).toBe('holiday.webp');
    const store = useExportStore();
    store.reset('IMG_0001.JPG');
    expect([store.format, store.fileName]).toEqual(['jpeg', 'IMG_0001-edited.jpg']);
    store.setFormat('png');
    expect(store.fileName).toBe('IMG_0001-edited.png');
  });

  it('takes a file name, not a path, with an extension of the format, and exports nothing otherwise', async () => {
    const store = useExportStore();
    store.reset('coffee.jpg');
    for (const [name, problem] of [
      ['../coffee.jpg', /not a path/],
      ['C:\\x\\coffee.jpg', /not a path/],
      ['coffee.png', /ends in \.jpg or \.jpeg/],
      ['', /needs a name/],
      ['.jpg', /stem/],
    ] as const) {
      store.fileName = name;
      expect(store.nameProblem).toMatch(problem);
    }
    await store.run();
    expect(calls).toEqual([]);
  });

  it('desktop: asks the save dialog, then exports to exactly the path it answered', async () => {
    const store = useExportStore();
    store.reset('coffee.jpg');
    store.setFormat('png');
    store.choices.quality = 80; // not sent for PNG
    store.choices.removeLocation = true; // not sent: the plan found no location
    await store.run();
    const choices = { format: 'png', removeLocation: false, keepBlocks: true };
    expect(calls).toEqual([
      { channel: 'dialogs:save', request: { defaultName: 'coffee-edited.png', format: 'png' } },
      {
        channel: 'images:export',
        request: { id: 'img_base', path: '/home/me/Pictures/coffee-edited.png', ...choices },
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
    store.reset('coffee.jpg');
    store.plan = { notes: [], source: { ...jpegFacts, hasLocation: true }, jpegBlocks: null };
    store.fileName = 'café.jpeg';
    store.choices.quality = 80;
    store.choices.keepBlocks = false;
    store.choices.removeLocation = true;
    await store.run();
    const request = { id: 'img_base', format: 'jpeg', quality: 80, removeLocation: true, keepBlocks: false };
    expect(calls).toEqual([{ channel: 'images:encode', request }]);
    expect(downloads).toEqual(['café.jpeg']);
    expect(store.message).toBe('Downloaded café.jpeg (3 KB)');
    expect(store.writtenNotes).toEqual(['JPEG is lossy: the whole image is re-encoded']);
  });

  it('browser: an emptied quality field means the default (the source JPEG\u2019s own quality), not a bad request', async () => {
    (window as unknown as { iir?: unknown }).iir = undefined;
    const store = useExportStore();
    store.reset('coffee.jpg');
    store.choices.quality = '' as unknown as number; // what v-model.number leaves in an emptied field
    await store.run();
    expect(calls).toEqual([
      {
        channel: 'images:encode',
        request: { id: 'img_base', format: 'jpeg', removeLocation: false, keepBlocks: true },
      },
    ]);
  });
});
