/**
 * sRGB → the file's CMYK profile for the edited region of a CMYK file, through libvips (lcms): CMYK profiles are
 * lookup tables that the matrix/TRC converter does not read. Without a usable embedded profile libvips's generic
 * CMYK profile is used, as when the file was decoded.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** 0–255 float sRGB (3 per pixel) → CMYK in [0, 1] (4 per pixel). */
export async function srgbToCmyk(srgb: Float32Array, icc: Uint8Array | null): Promise<Float32Array> {
  const n = srgb.length / 3;
  // a raster of at most 4096 columns (libvips limits image sides), padded
  const width = Math.min(n, 4096);
  const height = Math.ceil(n / width);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < srgb.length; i++) rgb[i] = Math.round(Math.min(255, Math.max(0, srgb[i]!)));
  const dir = icc ? await mkdtemp(join(tmpdir(), 'iir-icc-')) : null;
  try {
    let profile = 'cmyk';
    if (dir && icc) {
      profile = join(dir, 'source.icc');
      await writeFile(profile, icc);
    }
    const data = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .withIccProfile(profile)
      .raw()
      .toBuffer();
    if (data.length !== width * height * 4) throw new Error('the CMYK conversion did not give 4 channels');
    const out = new Float32Array(n * 4);
    for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
    return out;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
