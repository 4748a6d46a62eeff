import type { ExportFormat } from '../image/exportStored';

/** How long a path chosen in the save dialog may wait for its export. */
export const saveGrantMs = 10 * 60 * 1000;

/** At most this many chosen paths wait at once (the oldest is forgotten). */
const maxGrants = 8;

/**
 * Paths the user chose in the native save dialog, each good for one export in its format: the renderer is
 * untrusted, so `images:export` writes only where the user (not the page) said, once, and soon after.
 */
export class SaveGrants {
  private readonly grants = new Map<string, { format: ExportFormat; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the dialog's answer. */
  grant(path: string, format: ExportFormat): void {
    this.grants.delete(path);
    this.grants.set(path, { format, expiresAt: this.now() + saveGrantMs });
    for (const oldest of this.grants.keys()) {
      if (this.grants.size <= maxGrants) break;
      this.grants.delete(oldest);
    }
  }

  /** True (once) when `path` was chosen for `format` and has not expired; the grant is used up either way. */
  take(path: string, format: ExportFormat): boolean {
    const grant = this.grants.get(path);
    this.grants.delete(path);
    return grant !== undefined && grant.format === format && grant.expiresAt > this.now();
  }
}
