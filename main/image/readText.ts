import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { invalidArgument } from '../../shared/errors';
import { describeReadError } from './fileErrors';
import { isPng, readPngText } from './pngText';
import { parseXmp } from './xmpText';

/**
 * The text metadata `encodeImage` stored: PNG tEXt/zTXt/iTXt chunks, or the IIR Studio XMP pairs of a JPEG or
 * WebP. An image without any gives `{}`.
 */
export async function readImageText(input: string | Uint8Array): Promise<Record<string, string>> {
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : input;
  } catch (error) {
    throw describeReadError(input as string, error);
  }
  if (isPng(bytes)) return readPngText(bytes);
  let xmp: string | undefined;
  try {
    xmp = (await sharp(bytes).metadata()).xmpAsString;
  } catch {
    throw invalidArgument(`${typeof input === 'string' ? basename(input) : 'the input'} is not an image`);
  }
  return xmp ? parseXmp(xmp) : {};
}
