import type { IirBridge } from '../../../shared/api';

declare global {
  interface Window {
    /** Exposed by the preload under Electron; absent in a browser (serve mode). */
    readonly iir?: IirBridge;
    /** Exposed by the preload under Electron: a picked file's path on this computer ('' when it has none). */
    readonly iirFiles?: { pathOf(file: File): string };
  }
}
