import type { RememberedQueue, Settings } from '../../shared/api';
import { type QueueAddress, parseQueueUrl, withPassword } from './connection';

/**
 * Seals a secret with the OS keychain, and opens it again: Electron's safeStorage in the app. Both answer null where
 * there is no keychain (Linux without one, serve mode under plain Node) or the sealed text no longer opens.
 */
export interface SecretBox {
  /** The secret encrypted, as base64, or null: nothing may be kept. */
  seal(secret: string): string | null;
  open(sealed: string): string | null;
}

/** The part of the settings store the memory uses (main/services/settings.ts). */
export interface SettingsAccess {
  get(): Settings;
  set(patch: Partial<Settings>): Promise<Settings>;
}

/** A remembered queue, ready to connect to, or needing its password typed again first. */
export interface RecalledQueue {
  readonly address: QueueAddress;
  readonly needsPassword: boolean;
  /** A password was kept sealed but the keychain no longer opens it (another keychain, or none now). */
  readonly unsealable?: boolean;
}

/**
 * The queue the editor reconnects to at start, kept in the settings file (`remoteQueue`): the address without its
 * password, and the password only sealed by the OS keychain. Without a keychain, the password is not kept at all.
 */
export class QueueMemory {
  constructor(
    private readonly settings: SettingsAccess,
    private readonly box: SecretBox | null,
  ) {}

  /** Remembers `address` (its password sealed, or left out when it cannot be). */
  async remember(address: QueueAddress): Promise<void> {
    const password = address.options.password;
    const sealed = password === undefined ? null : (this.box?.seal(password) ?? null);
    const remembered: RememberedQueue = {
      address: address.bare,
      sealedPassword: sealed,
      needsPassword: password !== undefined && sealed === null,
    };
    await this.settings.set({ remoteQueue: remembered });
  }

  /** The remembered queue, or null (also when the remembered address no longer reads). */
  recall(): RecalledQueue | null {
    const remembered = this.settings.get().remoteQueue;
    if (!remembered) return null;
    let address: QueueAddress;
    try {
      address = parseQueueUrl(remembered.address);
    } catch {
      return null;
    }
    if (remembered.sealedPassword !== null) {
      const password = this.box?.open(remembered.sealedPassword) ?? null;
      if (password === null) return { address, needsPassword: true, unsealable: true };
      return { address: withPassword(address, password), needsPassword: false };
    }
    return { address, needsPassword: remembered.needsPassword };
  }

  async forget(): Promise<void> {
    if (this.settings.get().remoteQueue !== null) await this.settings.set({ remoteQueue: null });
  }
}
