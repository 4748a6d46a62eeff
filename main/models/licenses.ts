import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomicWrite';
import type { License } from './catalogSchema';

const fileName = 'licenses-accepted.json';

interface Accepted {
  [licenseId: string]: { name: string; url: string; acceptedAt: string };
}

async function readAccepted(modelsDir: string): Promise<Accepted> {
  try {
    return JSON.parse(await readFile(join(modelsDir, fileName), 'utf8')) as Accepted;
  } catch {
    return {};
  }
}

/** Licences among `licenses` that the user has not accepted yet in this models folder. */
export async function pendingLicenses(modelsDir: string, licenses: readonly License[]): Promise<License[]> {
  const accepted = await readAccepted(modelsDir);
  const seen = new Set<string>();
  return licenses.filter((l) => {
    if (accepted[l.id] || seen.has(l.id)) return false;
    seen.add(l.id);
    return true;
  });
}

let recording: Promise<void> = Promise.resolve();

/** Records that the user accepted these licences (before the first download under each). */
export function recordAccepted(modelsDir: string, licenses: readonly License[], now = new Date()): Promise<void> {
  // One read-modify-write at a time, so two first pulls at once both keep their acceptance.
  const next = recording
    .catch(() => undefined)
    .then(async () => {
      const accepted = await readAccepted(modelsDir);
      for (const l of licenses) accepted[l.id] ??= { name: l.name, url: l.url, acceptedAt: now.toISOString() };
      const text = `${JSON.stringify(accepted, null, 2)}\n`;
      await writeFileAtomic(join(modelsDir, fileName), text, { createFolders: true });
    });
  recording = next;
  return next;
}
