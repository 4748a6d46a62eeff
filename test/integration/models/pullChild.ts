// A pull in its own process, so a test can kill -9 it mid-download. Prints every pull event as one JSON line.
import { Agent } from 'undici';
import type { CatalogModel } from '../../../main/models/catalogSchema';
import { pullModel } from '../../../main/models/pull';

const args = JSON.parse(process.argv[2] ?? '{}') as { modelsDir: string; model: CatalogModel; endpoint: string };
await pullModel({
  modelsDir: args.modelsDir,
  model: args.model,
  license: null,
  hub: { endpoint: args.endpoint, token: null },
  dispatcher: new Agent(),
  stallMs: 60_000,
  progressIntervalMs: 0,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
