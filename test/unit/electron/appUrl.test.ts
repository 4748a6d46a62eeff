import { describe, expect, it } from 'vitest';
import { isAppUrl, rendererUrl } from '../../../main/electron/appUrl';

describe('isAppUrl', () => {
  const page = new URL(rendererUrl());

  it("accepts the app's own page on this machine, with a query or a fragment", () => {
    expect(page.protocol).toBe('file:');
    expect(isAppUrl(page.href)).toBe(true);
    expect(isAppUrl(`file://${page.pathname}?x=1#top`)).toBe(true);
  });

  it('refuses the same path on another host (a UNC share on Windows)', () => {
    expect(isAppUrl(`file://evil.example${page.pathname}`)).toBe(false);
    expect(isAppUrl(`file://192.168.1.5${page.pathname}`)).toBe(false);
  });

  it('refuses other files, other schemes and malformed URLs', () => {
    expect(isAppUrl(`file://${page.pathname}.html`)).toBe(false);
    expect(isAppUrl(`https://example.com${page.pathname}`)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('compares origins for the dev server', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('file:///index.html', dev)).toBe(false);
  });
});
