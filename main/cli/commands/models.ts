import { IirError, invalidArgument } from '../../../shared/errors';
import { loadCatalogs } from '../../models/catalog';
import { modelRoles, type Catalog } from '../../models/catalogSchema';
import { importModel, removeModel, verifyModel, type VerifyResult } from '../../models/manage';
import { readModelSettings, resolveModelsDir } from '../../models/modelSettings';
import { listInstalled } from '../../models/receipt';
import { defineCommand, type CommandContext } from '../command';
import { formatBytes } from '../../../shared/format';
import { printCatalog, printList, pull } from './modelsActions';
import { fuseAction } from './modelsFuse';
import { int8Maker } from './modelsQuantize';
import { variantAction } from './modelsVariant';
import { fp32Maker } from './modelsWiden';
import { modelsOption } from '../modelsOption';

const actions = ['catalog', 'list', 'pull', 'import', 'verify', 'rm', 'path', 'fuse', 'quantize', 'widen'] as const;

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
    'fuse <sd> <controlnet> (one graph of the ControlNet and the residual UNet, no weights copied),\n' +
    'quantize <id>… (make <id>-int8: int8 UNet/ControlNet weights for CPU; quality not judged yet),\n' +
    'widen <id>… (make <id>-fp32 of an fp16 model: on CPU fp32 is as fast and takes less memory).\n' +
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
    ...modelsOption,
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
    'models quantize sd15-fp32 controlnet-iir',
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
    if (action === 'catalog') return await printCatalog(await loadCatalog(), modelsDir, options.json, context);
    if (action === 'list') return await printList(modelsDir, options.json, context);
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
    if (action === 'fuse') return fuseAction(args, modelsDir, options.json, context);
    if (action === 'quantize' || action === 'widen') {
      const maker = action === 'quantize' ? int8Maker : fp32Maker;
      return variantAction(maker, args, modelsDir, options.json, context);
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
