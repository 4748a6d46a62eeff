import { protocol } from 'electron';
import { appScheme } from '../../shared/api/appScheme';
import type { ImageStore } from '../services/images';
import { answerAppRequest, appSchemePrivileges } from './appProtocol';

/** Must run before the app is ready: `app:` is standard, secure and fetchable, like https. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: appSchemePrivileges }]);
}

/** Serves the built renderer and the stored images (as PNG: pixels never travel as base64 or JSON) over `app:`. */
export function handleAppProtocol(images: ImageStore, rendererDir: string, devOrigin?: string): void {
  protocol.handle(appScheme, (request) =>
    answerAppRequest(request, { rendererDir, imagePng: (id) => images.png(id), devOrigin }),
  );
}
