import { preflight } from '../../engine/providers';
import { defineCommand } from '../command';

/** `iir devices`: the execution providers, their pre-flight results and the one `auto` picks. */
export const devicesCommand = defineCommand({
  name: 'devices',
  summary: 'list the execution providers, their self-test results and the one auto picks',
  description:
    'Runs a tiny self-test graph on every execution provider onnxruntime-node ships for this platform\n' +
    '(cuda, dml, coreml, webgpu, cpu) and says which work, why the others do not, and which one auto uses.',
  positionals: [],
  options: { json: { type: 'boolean', description: 'print the report as JSON' } },
  examples: ['devices', 'devices --json'],
  async run({ options }, context) {
    const report = await preflight();
    if (options.json) {
      context.printJson({
        platform: report.platform,
        arch: report.arch,
        auto: report.auto,
        providers: report.providers.map((p) => ({
          name: p.name,
          isShipped: p.shipped,
          isWorking: p.ok,
          reason: p.reason ?? null,
          ms: p.ms ?? null,
        })),
        notes: report.notes,
      });
      return;
    }
    const lines = report.providers.map((p) => {
      const status = p.ok ? 'ok' : p.shipped ? 'failed' : 'not available';
      const software = p.software !== undefined ? `; ${p.reason ?? p.software}` : '';
      const detail = p.ok ? `self-test ${p.ms ?? '?'} ms${software}` : (p.reason ?? '');
      return `${p.name === report.auto ? '*' : ' '} ${p.name.padEnd(7)} ${status.padEnd(14)} ${detail}`;
    });
    context.stdout.write(`${lines.join('\n')}\nauto: ${report.auto}\n`);
    for (const note of report.notes) context.log(`note: ${note}`);
  },
});
