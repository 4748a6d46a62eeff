/**
 * Colour profiles and images the tests make themselves (no downloads): minimal ICC v2 matrix/TRC profiles for
 * Adobe RGB (1998) compatible, ProPhoto and a gray gamma-2.2 space, Display P3 and CMYK from libvips's built-in
 * profiles, and images with those profiles embedded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

type Xyz = readonly [number, number, number];

function tag(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + ((4 - (body.length % 4)) % 4));
  out.set(new TextEncoder().encode(type), 0);
  out.set(body, 8);
  return out;
}

function xyzTag(xyz: Xyz): Uint8Array {
  const body = new Uint8Array(12);
  const view = new DataView(body.buffer);
  xyz.forEach((v, i) => view.setInt32(i * 4, Math.round(v * 65536)));
  return tag('XYZ ', body);
}

function gammaTag(gamma: number): Uint8Array {
  const body = new Uint8Array(6);
  const view = new DataView(body.buffer);
  view.setUint32(0, 1);
  view.setUint16(4, Math.round(gamma * 256));
  return tag('curv', body);
}

function descTag(text: string): Uint8Array {
  const ascii = new TextEncoder().encode(`${text}\0`);
  const body = new Uint8Array(4 + ascii.length + 4 + 4 + 2 + 1 + 67);
  new DataView(body.buffer).setUint32(0, ascii.length);
  body.set(ascii, 4);
  return tag('desc', body);
}

/** A minimal ICC v2 display profile: `colorants` (D50 XYZ of R, G, B) with one gamma, or gray with `gamma`. */
export function matrixProfile(description: string, gamma: number, colorants?: readonly [Xyz, Xyz, Xyz]): Uint8Array {
  const tags: [string, Uint8Array][] = [
    ['desc', descTag(description)],
    ['wtpt', xyzTag([0.9642, 1, 0.8249])],
    ['cprt', tag('text', new TextEncoder().encode('No copyright, test profile\0'))],
  ];
  if (colorants) {
    tags.push(['rXYZ', xyzTag(colorants[0])], ['gXYZ', xyzTag(colorants[1])], ['bXYZ', xyzTag(colorants[2])]);
    const curve = gammaTag(gamma);
    tags.push(['rTRC', curve], ['gTRC', curve], ['bTRC', curve]);
  } else {
    tags.push(['kTRC', gammaTag(gamma)]);
  }
  const tableSize = 4 + tags.length * 12;
  let offset = 128 + tableSize;
  const entries = tags.map(([sig, data]) => {
    const entry = { sig, data, offset };
    offset += data.length;
    return entry;
  });
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  const put = (at: number, text: string): void => out.set(new TextEncoder().encode(text), at);
  view.setUint32(0, offset);
  put(4, 'lcms');
  view.setUint32(8, 0x02100000);
  put(12, 'mntr');
  put(16, colorants ? 'RGB ' : 'GRAY');
  put(20, 'XYZ ');
  view.setUint16(24, 2024);
  view.setUint16(26, 1);
  view.setUint16(28, 1);
  put(36, 'acsp');
  view.setInt32(68, Math.round(0.9642 * 65536));
  view.setInt32(72, 65536);
  view.setInt32(76, Math.round(0.8249 * 65536));
  view.setUint32(128, tags.length);
  entries.forEach((e, i) => {
    put(132 + i * 12, e.sig);
    view.setUint32(136 + i * 12, e.offset);
    view.setUint32(140 + i * 12, e.data.length);
    out.set(e.data, e.offset);
  });
  return out;
}

export const adobeRgb = matrixProfile('Adobe RGB (1998) compatible (test)', 563 / 256, [
  [0.60974, 0.31111, 0.01947],
  [0.20528, 0.62567, 0.06087],
  [0.14919, 0.06322, 0.74457],
]);
export const proPhoto = matrixProfile('ProPhoto RGB compatible (test)', 1.8, [
  [0.7977, 0.28804, 0],
  [0.13518, 0.71187, 0],
  [0.03131, 0.00009, 0.82521],
]);
export const grayGamma22 = matrixProfile('Gray gamma 2.2 (test)', 2.2);

/** libvips's built-in Display P3 or CMYK profile, as embedded in an image it writes. */
export async function builtinProfile(name: 'p3' | 'cmyk'): Promise<Uint8Array> {
  const probe = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .withIccProfile(name)
    .jpeg()
    .toBuffer();
  return new Uint8Array((await sharp(probe).metadata()).icc!);
}

/** `profile` written to a temporary .icc file (sharp takes profiles by path). */
export function profileFile(profile: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'iir-icc-')), 'profile.icc');
  writeFileSync(path, profile);
  return path;
}

/** A smooth, colourful test pattern: `channels` values per pixel at `depth` bits (alpha last, a ramp). */
export function pattern(width: number, height: number, channels: number, depth: 8 | 16): Uint8Array | Uint16Array {
  const max = depth === 16 ? 65535 : 255;
  const data = depth === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) {
        const t = (x / width + (c * y) / height / 2 + c * 0.31) % 1;
        data[p + c] = Math.round(t * max);
      }
    }
  }
  return data;
}
