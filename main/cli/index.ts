import { commands } from './commands';
import { runCli } from './runner';

// The command-line entry: `npm run iir -- <command> …` (tsx), or the built `iir` script.
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // The first Ctrl-C cancels the command, which cleans up its temporary files; a second one exits at once.
  if (interrupts > 1) process.exit(130);
  process.stderr.write('iir: cancelling… (Ctrl-C again to stop at once)\n');
  controller.abort();
});

// A reader that stops early (`iir … --json | head -c 100`) closes the pipe: not a failure of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`iir: cannot write to stdout: ${error.message}\n`);
  process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
});

const code = await runCli(process.argv.slice(2), commands, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Native modules (sharp's thread pool, ONNX Runtime) may keep the loop alive: exit once stdout has flushed.
process.stdout.write('', () => process.exit(code));
