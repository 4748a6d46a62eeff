/**
 * Photo files the tests make themselves from the fixture photos: a Display P3 JPEG with EXIF (camera, exposure,
 * GPS) and the profile libvips embeds, and a CMYK JPEG. Nothing is downloaded.
 */
import { join } from 'node:path';
import sharp from 'sharp';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'images', name);

/** EXIF every made photo carries: camera, exposure and a location. */
const exif = {
  IFD0: { Make: 'Apple', Model: 'iPhone 15 Pro' },
  IFD2: { ExposureTime: '1/120', FNumber: '1.78' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
} as const;

/** `coffee.png` (600×400) as a 4:2:0 Display P3 JPEG with EXIF and GPS, as an iPhone writes them. */
export function displayP3Jpeg(): Promise<Buffer> {
  return sharp(fixture('coffee.png'))
    .removeAlpha()
    .withIccProfile('p3')
    .withExifMerge(exif)
    .jpeg({ quality: 90, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

/** `coffee.png` (600×400) as a CMYK JPEG with libvips's CMYK profile and EXIF. */
export function cmykJpeg(): Promise<Buffer> {
  return sharp(fixture('coffee.png'))
    .removeAlpha()
    .toColourspace('cmyk')
    .withIccProfile('cmyk')
    .withExifMerge(exif)
    .jpeg({ quality: 90 })
    .toBuffer();
}
