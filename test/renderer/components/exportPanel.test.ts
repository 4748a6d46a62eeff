import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { Envelope, ExportPlan, ImageId, ImageInfo } from '../../../shared/api';
import ExportPanel from '../../../renderer/src/components/ExportPanel.vue';
import { useDocumentStore } from '../../../renderer/src/stores/documentStore';

// A fake of the project's own preload bridge: main's export plan for each format asked.
const asked: unknown[] = [];
let plans: Record<string, ExportPlan> = {};
beforeAll(() => {
  Object.defineProperty(window, 'iir', {
    configurable: true,
    value: {
      images: {
        exportNotes: (request: { format: string; keepBlocks: boolean }): Promise<Envelope<ExportPlan>> => {
          asked.push(request);
          return Promise.resolve({ ok: true, value: plans[`${request.format}${request.keepBlocks ? '' : '-whole'}`]! });
        },
        release: () => Promise.resolve({ ok: true, value: { released: true } }),
      },
      on: () => () => undefined,
    },
  });
});

const photo = (name: string): ImageInfo => ({
  id: `img_${name}` as ImageId,
  kind: 'original',
  width: 600,
  height: 400,
  hasAlpha: false,
  name,
  path: null,
});

type Facts = NonNullable<ExportPlan['source']>;
const p3: Omit<Facts, 'hasLocation'> = {
  format: 'jpeg',
  space: 'rgb',
  depth: 8,
  profile: 'Display P3',
  metadata: ['EXIF', 'XMP'],
};

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) await nextTick();
}

beforeEach(() => {
  setActivePinia(createPinia());
  asked.length = 0;
});

describe('the export panel', () => {
  it('shows, before writing, what a JPEG export keeps, the MCUs it re-encodes, and offers Remove location', async () => {
    plans = {
      jpeg: { notes: [], source: { ...p3, hasLocation: true }, jpegBlocks: { mcusTotal: 950, mcusReencoded: 6 } },
      'jpeg-whole': {
        notes: ['JPEG is lossy: the whole image is re-encoded'],
        source: { ...p3, hasLocation: true },
        jpegBlocks: null,
      },
    };
    useDocumentStore().adopt(photo('IMG_0001.JPG'));
    const wrapper = mount(ExportPanel);
    await settle();
    expect((wrapper.get('[data-testid=export-format]').element as HTMLSelectElement).value).toBe('jpeg');
    expect((wrapper.get('[data-testid=export-name]').element as HTMLInputElement).value).toBe('IMG_0001-edited.jpg');
    expect(wrapper.get('[data-testid=export-kept]').text()).toBe('Keeps Display P3 · 8-bit RGB · EXIF, XMP');
    expect((wrapper.get('[data-testid=export-keep-blocks]').element as HTMLInputElement).checked).toBe(true);
    expect(wrapper.get('[data-testid=export-blocks]').text()).toBe('6 of 950 MCUs will be re-encoded');
    expect(wrapper.find('[data-testid=export-notes]').exists()).toBe(false);
    expect((wrapper.get('[data-testid=export-remove-location]').element as HTMLInputElement).checked).toBe(false);
    expect(wrapper.find('input[aria-label=Quality]').exists()).toBe(false); // the source's tables are kept
    await wrapper.get('[data-testid=export-keep-blocks]').setValue(false);
    await settle();
    expect(asked.at(-1)).toEqual({ id: 'img_IMG_0001.JPG', format: 'jpeg', keepBlocks: false });
    expect(wrapper.find('[data-testid=export-blocks]').exists()).toBe(false);
    expect(wrapper.find('input[aria-label=Quality]').exists()).toBe(true);
    expect(wrapper.get('[data-testid=export-notes]').text()).toBe('JPEG is lossy: the whole image is re-encoded');
  });

  it('shows a 16-bit TIFF source as TIFF, and a CMYK source’s fallback before writing; no location, no checkbox', async () => {
    const tiff: Omit<Facts, 'hasLocation'> = {
      ...p3,
      format: 'tiff',
      depth: 16,
      profile: 'ProPhoto RGB',
      metadata: ['EXIF'],
    };
    plans = { tiff: { notes: [], source: { ...tiff, hasLocation: false }, jpegBlocks: null } };
    useDocumentStore().adopt(photo('scan.tif'));
    const wrapper = mount(ExportPanel);
    await settle();
    expect((wrapper.get('[data-testid=export-format]').element as HTMLSelectElement).value).toBe('tiff');
    expect(wrapper.get('[data-testid=export-kept]').text()).toBe('Keeps ProPhoto RGB · 16-bit RGB · EXIF');
    expect(wrapper.find('[data-testid=export-remove-location]').exists()).toBe(false);
    expect(wrapper.find('[data-testid=export-notes]').exists()).toBe(false);

    const fallback = 'The JPEG stores CMYK colour, which block-keeping export cannot re-encode.';
    const cmyk: Omit<Facts, 'hasLocation'> = { ...p3, space: 'cmyk', profile: 'CMYK', metadata: [] };
    plans = {
      jpeg: {
        notes: [`JPEG is lossy: the whole image is re-encoded (${fallback})`],
        source: { ...cmyk, hasLocation: false },
        jpegBlocks: { fallback },
      },
      png: {
        notes: ['PNG cannot hold CMYK: the image is converted to sRGB and its CMYK profile dropped'],
        source: { ...cmyk, hasLocation: false },
        jpegBlocks: null,
      },
    };
    useDocumentStore().adopt(photo('print.jpg'));
    await settle();
    expect(wrapper.get('[data-testid=export-kept]').text()).toBe('Keeps CMYK · 8-bit CMYK · no metadata');
    expect(wrapper.get('[data-testid=export-notes]').text()).toContain(fallback);
    expect(wrapper.find('[data-testid=export-blocks]').exists()).toBe(false);
    await wrapper.get('[data-testid=export-format]').setValue('png');
    await settle();
    expect((wrapper.get('[data-testid=export-name]').element as HTMLInputElement).value).toBe('print-edited.png');
    expect(wrapper.get('[data-testid=export-notes]').text()).toMatch(/^PNG cannot hold CMYK/);
  });

  it('refuses a path as the file name, and says why', async () => {
    plans = { png: { notes: [], source: null, jpegBlocks: null } };
    useDocumentStore().adopt(photo('coffee.png'));
    const wrapper = mount(ExportPanel);
    await settle();
    await wrapper.get('[data-testid=export-name]').setValue('../../etc/coffee.png');
    expect(wrapper.get('[data-testid=export-name-problem]').text()).toMatch(/a file name, not a path/);
    expect(wrapper.get('[data-testid=export]').attributes('disabled')).toBeDefined();
  });
});
