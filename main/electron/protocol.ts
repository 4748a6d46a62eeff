import { protocol } from 'electron';
import { imageIdSchema } from '../../shared/api';
import { isIirError } from '../../shared/errors';
import type { ImageStore } from '../services/images';

/** The scheme the renderer loads stored images from: `iir-image://image/<id>`. */
export const imageScheme = 'iir-image';

/** Must run before the app is ready: the scheme is standard, secure and fetchable, like https. */
export function registerImageScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: imageScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves stored images as PNG; pixels never travel as base64 or JSON. */
export function handleImageProtocol(images: ImageStore): void {
  protocol.handle(imageScheme, async (request) => {
    const url = new URL(request.url);
    const id = imageIdSchema.safeParse(decodeURIComponent(url.pathname.replace(/^\//, '')));
    if (url.hostname !== 'image' || !id.success) return new Response('not an image id', { status: 400 });
    try {
      const png = await images.png(id.data);
      return new Response(png, {
        headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
      });
    } catch (error) {
      if (isIirError(error) && error.code === 'not_found') return new Response(error.message, { status: 404 });
      throw error;
    }
  });
}
