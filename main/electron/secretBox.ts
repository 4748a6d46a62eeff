import { safeStorage } from 'electron';
import type { SecretBox } from '../queue/queueMemory';

/**
 * The OS keychain through Electron's safeStorage (call once the app is ready). On Linux, the `basic_text` backend
 * (no keyring: a password hard-coded in Chromium) counts as none, so nothing secret is kept there.
 */
export function safeStorageBox(): SecretBox {
  const available = (): boolean =>
    safeStorage.isEncryptionAvailable() &&
    !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  return {
    seal: (secret) => (available() ? safeStorage.encryptString(secret).toString('base64') : null),
    open: (sealed) => {
      if (!available()) return null;
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        // Sealed by another user or keychain: the password is asked for again.
        return null;
      }
    },
  };
}
