import { createInterface } from 'node:readline/promises';
import { CancelledError, invalidArgument } from '../../../shared/errors';
import { catalogListing, licenseOf, resolveTargets } from '../../models/catalog';
import type { Catalog, License } from '../../models/catalogSchema';
import { hubFromEnv } from '../../models/http';
import { pendingLicenses, recordAccepted } from '../../models/licenses';
import { diskUsage } from '../../models/manage';
import { pullModel, type PullEvent } from '../../models/pull';
import { listInstalled, modelDir, readReceipt, unverifiedFiles, verification } from '../../models/receipt';
import type { CommandContext } from '../command';
import { formatBytes } from '../../../shared/format';

/** `models catalog`: what can be downloaded, with sizes and licences (`*` = installed). */
export async function printCatalog(
  catalog: Catalog,
  modelsDir: string,
  json: boolean,
  context: CommandContext,
): Promise<void> {
  const installed = new Set((await listInstalled(modelsDir)).map((m) => m.id));
  const { models, bundles } = catalogListing(catalog, installed);
  if (json) {
    context.printJson({ models, bundles });
    return;
  }
  for (const m of models) {
    context.stdout.write(
      `${m.installed ? '*' : ' '} ${m.id.padEnd(22)} ${m.role.padEnd(17)} ${`~${formatBytes(m.bytes)}`.padStart(10)}  ${m.license}\n    ${m.title}\n`,
    );
  }
  for (const b of bundles) context.stdout.write(`bundle ${b.id}: ${b.models.join(' + ')} (~${formatBytes(b.bytes)})\n`);
  return;
}

/** `models list`: installed models (verified or not), partial downloads, disk use. */
export async function printList(modelsDir: string, json: boolean, context: CommandContext): Promise<void> {
  const usage = await diskUsage(modelsDir);
  const installed = await listInstalled(modelsDir);
  const rows = installed.map((m) => ({
    id: m.id,
    role: m.receipt.role,
    path: m.dir,
    bytes: m.receipt.files.reduce((s, f) => s + f.bytes, 0),
    linked: m.receipt.location !== null,
    verification: verification(m.receipt),
  }));
  const partial = usage.models.filter((m) => !m.installed).map((m) => ({ id: m.id, bytes: m.bytes }));
  if (json) {
    context.printJson({ ...usage, installed: rows, partial });
    return;
  }
  context.stdout.write(`models folder: ${modelsDir}\n`);
  for (const r of rows)
    context.stdout.write(
      `${r.id.padEnd(24)} ${r.role.padEnd(17)} ${formatBytes(r.bytes).padStart(10)}  ${r.verification}${r.linked ? `  linked: ${r.path}` : ''}\n`,
    );
  for (const p of partial)
    context.stdout.write(
      `${p.id.padEnd(24)} ${'(partial download)'.padEnd(17)} ${formatBytes(p.bytes).padStart(10)}\n`,
    );
  const free = usage.freeBytes === null ? '' : `, ${formatBytes(usage.freeBytes)} free`;
  context.stdout.write(
    `total ${formatBytes(usage.totalBytes)} (partial downloads ${formatBytes(usage.partialBytes)})${free}\n`,
  );
  return;
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

async function confirmLicenses(licenses: License[], accept: boolean, context: CommandContext): Promise<void> {
  if (licenses.length === 0 || accept) return;
  if (!process.stdin.isTTY) {
    const names = licenses.map((l) => `${l.name} (${l.url})`).join(', ');
    throw invalidArgument(`these downloads need the licence(s) ${names}; read them, then pass --accept-license`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (const license of licenses) {
      const restrictions = (license.restrictions ?? []).map((r) => `  - ${r}\n`).join('');
      context.log(`\n${license.name} — ${license.url}\n${license.summary}\n${restrictions}`);
      const answer = await rl.question(`Accept the ${license.name} licence? [y/N] `, { signal: context.signal });
      if (!/^y(es)?$/i.test(answer.trim())) throw invalidArgument(`the ${license.name} licence was not accepted`);
    }
  } catch (error) {
    if (context.signal.aborted) throw new CancelledError();
    throw error;
  } finally {
    rl.close();
  }
}

function describeEvent(event: PullEvent): string | null {
  switch (event.type) {
    case 'retry':
      return `${event.modelId}/${event.file}: ${event.reason}; retry ${event.attempt} in ${Math.round(event.delayMs / 100) / 10} s`;
    case 'restart':
      return `${event.modelId}/${event.file}: ${event.reason}; downloading it again from the start`;
    case 'mismatch':
      return `${event.modelId}/${event.file}: wrong bytes (expected ${event.expected}, got ${event.found}); kept at ${event.badPath}, downloading again`;
    case 'skipped':
      return `${event.modelId}/${event.file}: not in the repository (optional), skipped`;
    default:
      return null;
  }
}

export async function pull(
  ids: string[],
  catalog: Catalog,
  modelsDir: string,
  options: { acceptLicense: boolean; json: boolean; parallel: number; hubToken: string | null },
  context: CommandContext,
): Promise<void> {
  if (ids.length === 0) throw invalidArgument('name at least one model or bundle to pull (see "models catalog")');
  const targets = resolveTargets(catalog, ids);
  const todo = [];
  for (const model of targets) {
    if (await readReceipt(modelDir(modelsDir, model.id)).catch(() => null)) {
      context.log(`${model.id}: already installed`);
    } else todo.push(model);
  }
  const licenses = todo.map((m) => licenseOf(catalog, m));
  const pending = await pendingLicenses(modelsDir, licenses);
  await confirmLicenses(pending, options.acceptLicense, context);
  if (pending.length > 0) await recordAccepted(modelsDir, pending);
  const hub = hubFromEnv(context.env, options.hubToken);
  const pulled = [];
  for (const model of todo) {
    const bar = context.progress(model.id);
    try {
      const receipt = await pullModel({
        modelsDir,
        model,
        license: licenseOf(catalog, model),
        hub,
        signal: context.signal,
        parallel: options.parallel,
        onEvent: (event) => {
          if (event.type === 'progress') {
            const rate = event.bytesPerSecond > 0 ? `, ${formatBytes(event.bytesPerSecond)}/s` : '';
            const eta = formatEta(event.etaSeconds);
            bar.update(
              event.totalBytes > 0 ? event.doneBytes / event.totalBytes : 0,
              `${formatBytes(event.doneBytes)} of ${formatBytes(event.totalBytes)}${rate}${eta ? `, ${eta} left` : ''}`,
            );
          } else {
            const line = describeEvent(event);
            if (line) context.log(line);
          }
        },
      });
      const bytes = receipt.files.reduce((s, f) => s + f.bytes, 0);
      const unchecked = unverifiedFiles(receipt);
      const checked =
        unchecked.length === 0
          ? 'verified'
          : `unverified (no published SHA-256 for ${unchecked.join(', ')}; its hash is recorded)`;
      bar.finish(`${model.id}: installed, ${receipt.files.length} files, ${formatBytes(bytes)}, ${checked}`);
      pulled.push({
        id: model.id,
        role: model.role,
        bytes,
        files: receipt.files.length,
        verification: verification(receipt),
      });
    } catch (error) {
      bar.finish();
      if (error instanceof CancelledError || context.signal.aborted) {
        throw new CancelledError(
          `${model.id}: paused; the partial download is kept — run the same pull again to resume`,
        );
      }
      throw error;
    }
  }
  if (options.json) context.printJson({ modelsDir, pulled });
}
