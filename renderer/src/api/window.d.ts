import type { IirBridge } from '../../../shared/api';

declare global {
  interface Window {
    /** Exposed by the preload under Electron; absent in a browser (serve mode). */
    readonly iir?: IirBridge;
  }
}
