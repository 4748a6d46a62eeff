import { createInterface } from 'node:readline/promises';
import { CancelledError, IirError, invalidArgument } from '../../../shared/errors';
import { bundleBytes, licenseOf, loadCatalogs, modelBytes, resolveTargets } from '../../models/catalog';
import { modelRoles, type Catalog, type License } from '../../models/catalogSchema';
import { hubFromEnv } from '../../models/http';
import { pendingLicenses, recordAccepted } from '../../models/licenses';
import { diskUsage, importModel, removeModel, verifyModel, type VerifyResult } from '../../models/manage';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { pullModel, type PullEvent } from '../../models/pull';
import { listInstalled, modelDir, readReceipt } from '../../models/receipt';
import { defineCommand, type CommandContext } from '../command';
import { fuseAction } from './modelsFuse';

const actions = ['catalog', 'list', 'pull', 'import', 'verify', 'rm', 'path', 'fuse'] as const;

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
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
      context.log(`\n${license.name} — ${license.url}\n${license.summary}\n`);
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

async function pull(
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
      bar.finish(`${model.id}: installed, ${receipt.files.length} files, ${formatBytes(bytes)}, verified`);
      pulled.push({ id: model.id, role: model.role, bytes, files: receipt.files.length });
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

function printVerify(results: VerifyResult[], json: boolean, context: CommandContext): void {
  if (json) context.printJson({ results });
  else
    for (const r of results) {
      context.stdout.write(`${r.id}: ${r.ok ? 'ok' : 'FAILED'}\n`);
      for (const p of r.problems) context.stdout.write(`  ${p}\n`);
    }
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new IirError('io_error', `${failed.map((r) => r.id).join(', ')} failed verification; pull or import again`);
  }
}

/** `iir models …`: the model manager from the command line. */
export const modelsCommand = defineCommand({
  name: 'models',
  summary: 'list, download, import, verify and remove models',
  description:
    'Actions: catalog (downloadable models and bundles), list (installed models and disk use), pull <id|bundle>…\n' +
    '(resumable, verified downloads; Ctrl-C pauses and the next pull resumes), import <dir> --as <id> (check a\n' +
    "local folder against its role's tensor contract; copy it, --move it or --link it in place), verify [<id>]\n" +
    '(re-hash against the install receipt), rm <id> (also removes partial downloads), path (the models folder),\n' +
    'fuse <sd> <controlnet> (one graph of the ControlNet and the residual UNet, no weights copied).\n' +
    'The hub endpoint comes from IIR_HUB_ENDPOINT (default https://huggingface.co); a token for gated repositories\n' +
    'from the settings or HF_TOKEN; HTTPS_PROXY / NO_PROXY are honoured.',
  positionals: [
    { name: 'action', description: actions.join('|') },
    {
      name: 'args',
      description: 'model or bundle ids (pull), a folder (import), an id (verify, rm)',
      optional: true,
      variadic: true,
    },
  ],
  options: {
    models: {
      type: 'string',
      valueName: 'dir',
      description: 'the models folder (default: settings, then <userData>/models)',
    },
    catalog: { type: 'string', valueName: 'file|url', multiple: true, description: 'add a catalog for this command' },
    as: { type: 'string', valueName: 'id', description: 'import: the id to install the folder as' },
    role: {
      type: 'string',
      valueName: 'role',
      choices: modelRoles,
      description: 'import: the role (default: detected)',
    },
    link: { type: 'boolean', description: 'import: record the folder where it is, no copy' },
    move: { type: 'boolean', description: 'import: move the folder into the models folder' },
    'accept-license': { type: 'boolean', description: 'pull: accept the models’ licences without asking' },
    parallel: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 1,
      max: 8,
      default: 3,
      description: 'pull: files at once',
    },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  },
  examples: [
    'models catalog',
    'models pull starter',
    'models pull sd15-fp16 controlnet-canny --accept-license',
    'models import ~/onnx/sd15 --as my-sd15 --link',
    'models verify',
    'models fuse sd15-fp16 controlnet-canny',
    'models list --json',
  ],
  async run({ options, positionals }, context) {
    const action = positionals.action;
    if (!(actions as readonly string[]).includes(action)) {
      throw invalidArgument(`unknown models action "${action}" (one of ${actions.join(', ')})`);
    }
    const args = positionals.args;
    const settings = await readModelSettings(context.env);
    const modelsDir = resolveModelsDir(options.models, settings, context.env);
    const loadCatalog = (): Promise<Catalog> => loadCatalogs([...settings.catalogs, ...options.catalog]);

    if (action === 'path') {
      if (options.json) context.printJson({ modelsDir });
      else context.stdout.write(`${modelsDir}\n`);
      return;
    }
    if (action === 'catalog') {
      const catalog = await loadCatalog();
      const installed = new Set((await listInstalled(modelsDir)).map((m) => m.id));
      const models = catalog.models.map((m) => ({
        id: m.id,
        title: m.title,
        role: m.role,
        license: licenseOf(catalog, m).name,
        bytes: modelBytes(m).bytes,
        installed: installed.has(m.id),
      }));
      const bundles = catalog.bundles.map((b) => ({
        id: b.id,
        title: b.title,
        models: b.models,
        bytes: bundleBytes(catalog, b).bytes,
      }));
      if (options.json) {
        context.printJson({ models, bundles });
        return;
      }
      for (const m of models) {
        context.stdout.write(
          `${m.installed ? '*' : ' '} ${m.id.padEnd(22)} ${m.role.padEnd(17)} ${`~${formatBytes(m.bytes)}`.padStart(10)}  ${m.license}\n    ${m.title}\n`,
        );
      }
      for (const b of bundles)
        context.stdout.write(`bundle ${b.id}: ${b.models.join(' + ')} (~${formatBytes(b.bytes)})\n`);
      return;
    }
    if (action === 'list') {
      const usage = await diskUsage(modelsDir);
      const installed = await listInstalled(modelsDir);
      const rows = installed.map((m) => ({
        id: m.id,
        role: m.receipt.role,
        path: m.dir,
        bytes: m.receipt.files.reduce((s, f) => s + f.bytes, 0),
        linked: m.receipt.location !== null,
      }));
      const partial = usage.models.filter((m) => !m.installed).map((m) => ({ id: m.id, bytes: m.bytes }));
      if (options.json) {
        context.printJson({ ...usage, installed: rows, partial });
        return;
      }
      context.stdout.write(`models folder: ${modelsDir}\n`);
      for (const r of rows)
        context.stdout.write(
          `${r.id.padEnd(24)} ${r.role.padEnd(17)} ${formatBytes(r.bytes).padStart(10)}${r.linked ? `  linked: ${r.path}` : ''}\n`,
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
    if (action === 'pull') {
      await pull(
        args,
        await loadCatalog(),
        modelsDir,
        {
          acceptLicense: options['accept-license'],
          json: options.json,
          parallel: options.parallel,
          hubToken: settings.hubToken,
        },
        context,
      );
      return;
    }
    if (action === 'import') {
      const [source, ...extra] = args;
      if (!source || extra.length > 0) throw invalidArgument('import takes one folder: models import <dir> --as <id>');
      if (!options.as) throw invalidArgument('import needs --as <id>: the id to install the folder as');
      if (options.link && options.move) throw invalidArgument('choose one of --link and --move');
      const receipt = await importModel({
        modelsDir,
        source,
        id: options.as,
        role: options.role,
        mode: options.link ? 'link' : options.move ? 'move' : 'copy',
        catalog: await loadCatalog(),
      });
      const bytes = receipt.files.reduce((s, f) => s + f.bytes, 0);
      if (options.json)
        context.printJson({
          id: receipt.id,
          role: receipt.role,
          files: receipt.files.length,
          bytes,
          location: receipt.location,
        });
      else
        context.log(
          `${receipt.id}: imported as ${receipt.role}, ${receipt.files.length} files, ${formatBytes(bytes)}${receipt.location ? ` (linked to ${receipt.location})` : ''}`,
        );
      return;
    }
    if (action === 'fuse') {
      await fuseAction(args, modelsDir, options.json, context);
      return;
    }
    if (action === 'verify') {
      if (args.length > 1) throw invalidArgument('verify takes at most one id');
      const ids = args.length === 1 ? args : (await listInstalled(modelsDir)).map((m) => m.id);
      const results: VerifyResult[] = [];
      for (const id of ids) results.push(await verifyModel(modelsDir, id));
      printVerify(results, options.json, context);
      return;
    }
    // rm
    if (args.length !== 1) throw invalidArgument('rm takes one model id');
    const id = args[0]!;
    const { removedBytes } = await removeModel(modelsDir, id);
    if (options.json) context.printJson({ removed: id, bytes: removedBytes });
    else context.log(`${id}: removed (${formatBytes(removedBytes)} freed)`);
  },
});
