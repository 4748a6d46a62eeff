import { parseCommandLine, UsageError } from '../../main/cli/options';
import { suites } from './suites';

// `npm run bench -- <suite> [--json]`: with --json, stdout carries exactly one JSON object and nothing else.
const usage = `Usage: npm run bench -- <suite> [--json] [--scale real [--models <dir>] [--provider <name>]]\n\nSuites:\n${suites
  .map((s) => `  ${s.name.padEnd(12)}${s.summary}`)
  .join('\n')}\n`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(
      process.argv.slice(2),
      {
        json: { type: 'boolean', description: 'print one JSON object on stdout' },
        scale: { type: 'string', valueName: 'tiny|real', choices: ['tiny', 'real'], description: 'model scale' },
        models: { type: 'string', valueName: 'dir', description: 'real-scale models folder' },
        provider: {
          type: 'string',
          valueName: 'name',
          choices: ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'],
          description: 'execution provider of the real-scale engine bench (default cpu)',
        },
      },
      [{ name: 'suite', description: 'the suite to run' }],
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return 0;
  }
  const suite = suites.find((s) => s.name === parsed.positionals.suite);
  if (!suite) {
    process.stderr.write(`bench: unknown suite "${parsed.positionals.suite}"\n\n${usage}`);
    return 2;
  }
  const result = await suite.run({
    log: (message) => process.stderr.write(`${message}\n`),
    ...(parsed.options.scale ? { scale: parsed.options.scale as 'tiny' | 'real' } : {}),
    ...(parsed.options.models ? { models: parsed.options.models } : {}),
    ...(parsed.options.provider ? { provider: parsed.options.provider } : {}),
  });
  const report = { [suite.name]: result };
  process.stdout.write(parsed.options.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

const code = await main();
process.stdout.write('', () => process.exit(code));
