import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomicWrite';
import type { License } from './catalogSchema';

const fileName = 'licenses-accepted.json';

/** One acceptance: who accepted which text of the licence, and when. */
export interface Acceptance {
  name: string;
  url: string;
  acceptedAt: string;
  /** The operating-system account that accepted it. */
  acceptedBy?: string;
  /** {@link licenseTextHash} of the text that was shown; a changed text asks again. */
  sha256?: string;
}

interface Accepted {
  [licenseId: string]: Acceptance;
}

/** SHA-256 of what the user is shown of a licence: name, link, summary and key restrictions. */
export function licenseTextHash(license: License): string {
  const shown = [license.id, license.name, license.url, license.summary, license.restrictions ?? []];
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex');
}

/** The user's account name for the record ("unknown" where the system will not say). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function readAccepted(modelsDir: string): Promise<Accepted> {
  try {
    return JSON.parse(await readFile(join(modelsDir, fileName), 'utf8')) as Accepted;
  } catch {
    return {};
  }
}

/**
 * Licences among `licenses` that the user has not accepted yet in this models folder, or accepted in another
 * wording (an acceptance records the hash of the text shown; one without a hash predates it and asks again).
 */
export async function pendingLicenses(modelsDir: string, licenses: readonly License[]): Promise<License[]> {
  const accepted = await readAccepted(modelsDir);
  const seen = new Set<string>();
  return licenses.filter((l) => {
    if (accepted[l.id]?.sha256 === licenseTextHash(l) || seen.has(l.id)) return false;
    seen.add(l.id);
    return true;
  });
}

let recording: Promise<void> = Promise.resolve();

/** Records that the user accepted these licences (before the first download under each): who, when, which text. */
export function recordAccepted(modelsDir: string, licenses: readonly License[], now = new Date()): Promise<void> {
  // One read-modify-write at a time, so two first pulls at once both keep their acceptance.
  const next = recording
    .catch(() => undefined)
    .then(async () => {
      const accepted = await readAccepted(modelsDir);
      const acceptedBy = currentUser();
      for (const l of licenses) {
        const sha256 = licenseTextHash(l);
        if (accepted[l.id]?.sha256 === sha256) continue;
        accepted[l.id] = { name: l.name, url: l.url, acceptedAt: now.toISOString(), acceptedBy, sha256 };
      }
      const text = `${JSON.stringify(accepted, null, 2)}\n`;
      await writeFileAtomic(join(modelsDir, fileName), text, { createFolders: true });
    });
  recording = next;
  return next;
}
