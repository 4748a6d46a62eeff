// A pull in its own process, so a test can kill -9 it mid-download. Prints every pull event as one JSON line.
import { Agent } from 'undici';
import type { CatalogModel } from '../../../main/models/catalogSchema';
import { pullModel } from '../../../main/models/pull';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  modelsDir: string;
  model: CatalogModel;
  endpoint: string;
  /** Use the app's own dispatcher (it reads HTTP(S)_PROXY from the environment) instead of a direct agent. */
  defaultDispatcher?: boolean;
};
await pullModel({
  modelsDir: args.modelsDir,
  model: args.model,
  license: null,
  hub: { endpoint: args.endpoint, token: null },
  ...(args.defaultDispatcher ? {} : { dispatcher: new Agent() }),
  stallMs: 60_000,
  progressIntervalMs: 0,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
// Keep-alive sockets would hold the process open for seconds after the pull.
process.exit(0);
