import { describe, expect, it } from 'vitest';
import { isAppUrl, isTrustedSender, rendererUrl } from '../../../main/electron/appUrl';

const packaged = {};
const dev = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
const topFrame = (url: string) => ({ url, parent: null });

describe('the app’s own page', () => {
  it('is app://iir-studio/index.html, or the dev server during npm run dev', () => {
    expect(rendererUrl(packaged)).toBe('app://iir-studio/index.html');
    expect(rendererUrl(dev)).toBe('http://localhost:5173');
  });

  it('is recognised by origin, whatever the install path or its drive letter', () => {
    for (const url of ['app://iir-studio/index.html', 'app://iir-studio/', 'app://IIR-Studio/index.html#/edit']) {
      expect(isAppUrl(url, packaged), url).toBe(true);
    }
    for (const url of [
      'file:///C:/Program%20Files/IIR%20Studio/resources/app.asar/out/renderer/index.html',
      'file:///c:/Program%20Files/IIR%20Studio/resources/app.asar/out/renderer/index.html',
      'app://elsewhere/index.html',
      'app://iir-studio.evil.com/index.html',
      'app://user@iir-studio/index.html',
      'https://iir-studio/index.html',
      'http://localhost:5173/',
      'not a url',
    ]) {
      expect(isAppUrl(url, packaged), url).toBe(false);
    }
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('app://iir-studio/index.html', dev)).toBe(false);
  });

  it('is the only top frame that may call the API', () => {
    expect(isTrustedSender(topFrame('app://iir-studio/index.html'), packaged)).toBe(true);
    expect(isTrustedSender(null, packaged)).toBe(false);
    const child = { url: 'app://iir-studio/index.html', parent: topFrame('app://iir-studio/index.html') };
    expect(isTrustedSender(child as never, packaged)).toBe(false);
    expect(isTrustedSender(topFrame('https://example.com/'), packaged)).toBe(false);
  });
});
