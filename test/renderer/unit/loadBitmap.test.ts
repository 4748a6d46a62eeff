import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBitmap } from '../../../renderer/src/composables/imagePixels';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loadBitmap', () => {
  it('fetches the stored image without the HTTP cache', async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response('x', { status: 404, statusText: 'Not Found' })));
    vi.stubGlobal('fetch', fetch);
    await expect(loadBitmap('app://iir-studio/image/img_a')).rejects.toThrow(
      'could not load the image (404 Not Found)',
    );
    expect(fetch).toHaveBeenCalledWith('app://iir-studio/image/img_a', { cache: 'no-store' });
  });

  it('says which scheme refused a fetch instead of a bare "Failed to fetch"', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(loadBitmap('app://iir-studio/image/img_a')).rejects.toThrow(
      'could not load the image from app: (Failed to fetch)',
    );
    await expect(loadBitmap('/image/img_a?token=t')).rejects.toThrow('could not load the image from this page');
  });
});
