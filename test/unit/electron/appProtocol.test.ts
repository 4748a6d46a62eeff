import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IirBridge, ImageId } from '../../../shared/api';
import { appImageUrl } from '../../../shared/api/appScheme';
import { answerAppRequest, appSchemePrivileges, appTarget } from '../../../main/electron/appProtocol';
import { ImageStore } from '../../../main/services/images';
import { electronTransport } from '../../../renderer/src/api/transport';
import { cacheDir } from '../../setup/global';

/** A built renderer folder with a secret file next to it that must never be served. */
function rendererFixture(): { rendererDir: string } {
  const dir = mkdtempSync(join(cacheDir, 'app-scheme-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>IIR Studio</title>');
  writeFileSync(join(rendererDir, 'assets', 'index.js'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  return { rendererDir };
}

function storeWithImage(): { images: ImageStore; id: ImageId } {
  const images = new ImageStore();
  const info = images.addRgb('original', { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
  return { images, id: info.id };
}

const get = (url: string, origin?: string) => new Request(url, origin ? { headers: { Origin: origin } } : undefined);

describe('the app: scheme', () => {
  it('is registered standard, secure, fetchable and CORS-enabled', () => {
    expect(appSchemePrivileges).toMatchObject({
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
    });
    expect(appSchemePrivileges).not.toHaveProperty('bypassCSP');
  });

  it('sorts URLs into images, renderer files and refusals', () => {
    expect(appTarget('app://iir-studio/image/img_abc-1')).toEqual({ kind: 'image', id: 'img_abc-1' });
    expect(appTarget('app://iir-studio/assets/index.js?v=1')).toEqual({ kind: 'file', path: '/assets/index.js' });
    expect(appTarget('app://iir-studio/image/..%2f..%2fetc')).toMatchObject({ kind: 'refused', status: 400 });
    expect(appTarget('app://iir-studio/image/%E0%A4%A')).toMatchObject({ kind: 'refused', status: 400 });
    expect(appTarget('app://elsewhere/index.html')).toMatchObject({ kind: 'refused', status: 404 });
    expect(appTarget('file:///etc/passwd')).toMatchObject({ kind: 'refused', status: 404 });
    expect(appTarget('not a url')).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('reads back the image URL the desktop renderer builds', () => {
    const id = 'res_Zz-09' as ImageId;
    const transport = electronTransport({ on: () => () => undefined } as unknown as IirBridge);
    expect(transport.imageUrl(id)).toBe(appImageUrl(id));
    expect(appTarget(transport.imageUrl(id))).toEqual({ kind: 'image', id });
  });

  it('serves a stored image as PNG, same-origin, and 404 for an unknown id', async () => {
    const { images, id } = storeWithImage();
    const sources = { rendererDir: rendererFixture().rendererDir, imagePng: (i: ImageId) => images.png(i) };
    const response = await answerAppRequest(get(appImageUrl(id)), sources);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    const missing = await answerAppRequest(get(appImageUrl('img_missing' as ImageId)), sources);
    expect(missing.status).toBe(404);
  });

  it('lets only the dev server’s page fetch images cross-origin', async () => {
    const { images, id } = storeWithImage();
    const response = await answerAppRequest(get(appImageUrl(id), 'http://localhost:5173'), {
      rendererDir: rendererFixture().rendererDir,
      imagePng: (i) => images.png(i),
      devOrigin: 'http://localhost:5173',
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('serves the built renderer and nothing outside it', async () => {
    const sources = { rendererDir: rendererFixture().rendererDir, imagePng: () => Promise.reject(new Error('no')) };
    const index = await answerAppRequest(get('app://iir-studio/'), sources);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    const script = await answerAppRequest(get('app://iir-studio/assets/index.js'), sources);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const escape of [
      'app://iir-studio/../secret.txt',
      'app://iir-studio/%2e%2e/secret.txt',
      'app://iir-studio/..%2fsecret.txt',
      'app://iir-studio/..%5csecret.txt',
      'app://iir-studio/assets/..%2f..%2fsecret.txt',
      'app://iir-studio/%2fetc%2fpasswd',
      'app://iir-studio/%00index.html',
      'app://iir-studio/nothing-here.js',
    ]) {
      const response = await answerAppRequest(get(escape), sources);
      expect(response.status, escape).toBe(404);
      expect(await response.text(), escape).not.toContain('outside the renderer');
    }
    const post = await answerAppRequest(new Request('app://iir-studio/index.html', { method: 'POST' }), sources);
    expect(post.status).toBe(405);
  });
});
