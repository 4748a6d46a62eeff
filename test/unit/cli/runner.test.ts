import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand, type Command, type CommandSource } from '../../../main/cli/command';
import { preprocessCommand } from '../../../main/cli/commands/preprocess';
import { runCli } from '../../../main/cli/runner';
import { IirError } from '../../../shared/errors';
import { outputDir, photo } from '../image/helpers';

function capture(isTTY = false) {
  const text: string[] = [];
  return {
    text,
    isTTY,
    write: (chunk: string) => text.push(chunk),
    get all() {
      return text.join('');
    },
  };
}

const failing = (error: unknown): Command =>
  defineCommand({
    name: 'fail',
    summary: 'fails',
    options: { json: { type: 'boolean', description: 'json' } },
    positionals: [],
    run: () => {
      throw error;
    },
  });

const echo = defineCommand({
  name: 'echo',
  summary: 'prints its options',
  options: { times: { type: 'number', valueName: 'n', integer: true, min: 1, default: 1, description: 'repeat' } },
  positionals: [{ name: 'word', description: 'what to print' }] as const,
  run({ options, positionals }, context) {
    context.printJson({ word: positionals.word, times: options.times });
    context.log('printed');
    return Promise.resolve();
  },
});

async function run(argv: string[], list: readonly CommandSource[], env: NodeJS.ProcessEnv = {}, signal?: AbortSignal) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, list, { stdout, stderr, env, signal: signal ?? new AbortController().signal });
  return { code, stdout: stdout.all, stderr: stderr.all };
}

describe('runCli', () => {
  it('runs a command: JSON on stdout, messages on stderr', async () => {
    expect(await run(['echo', 'hi', '--times', '3'], [echo])).toEqual({
      code: 0,
      stdout: '{"word":"hi","times":3}\n',
      stderr: 'printed\n',
    });
  });

  it('reports an IirError as one line with exit 1', async () => {
    const result = await run(['fail'], [failing(new IirError('not_found', 'no such\nthing'))]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'iir: no such thing\n' });
  });

  it('reports a bug as one line, with the stack only under IIR_DEBUG=1', async () => {
    const bug = new TypeError('x is undefined');
    expect(await run(['fail'], [failing(bug)])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'iir: internal error: x is undefined\n',
    });
    const debug = await run(['fail'], [failing(bug)], { IIR_DEBUG: '1' });
    expect(debug.stderr).toMatch(/^iir: internal error: x is undefined\nTypeError: x is undefined\n\s+at /);
  });

  it('reports usage errors with exit 2 and a pointer to --help', async () => {
    expect(await run(['echo', 'hi', '--times', '0'], [echo])).toEqual({
      code: 2,
      stdout: '',
      stderr: `iir: --times must be a whole number ≥ 1, not "0" (see 'iir echo --help')\n`,
    });
    expect((await run(['nope'], [echo])).stderr).toBe(`iir: unknown command "nope" (see 'iir --help')\n`);
    expect((await run(['--nope'], [echo])).code).toBe(2);
    expect((await run([], [echo])).code).toBe(2);
  });

  it('prints help on stdout with exit 0', async () => {
    const program = await run(['--help'], [echo]);
    expect(program.code).toBe(0);
    expect(program.stdout).toContain('echo  prints its options');
    const command = await run(['echo', '--help'], [echo]);
    expect(command.stdout).toContain('Usage: iir echo <word> [options]');
    expect(command.stdout).toMatch(/--times <n> +repeat \(1–∞; default: 1\)/);
    expect((await run(['help', 'echo'], [echo])).stdout).toBe(command.stdout);
  });

  it('loads a registry entry only to run it, and reports one that cannot load', async () => {
    const loaded: string[] = [];
    const entry = (command: Command) => ({
      name: command.name,
      load: () => {
        loaded.push(command.name);
        return Promise.resolve(command);
      },
    });
    const broken = { name: 'broken', load: () => Promise.reject(new SyntaxError('Unexpected token')) };
    expect(await run(['echo', 'hi'], [entry(echo), entry(failing(new Error('x'))), broken])).toMatchObject({
      code: 0,
      stdout: '{"word":"hi","times":1}\n',
    });
    expect(loaded).toEqual(['echo']);
    expect(await run(['broken'], [entry(echo), broken])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'iir: internal error: cannot load the broken command: Unexpected token\n',
    });
    const help = await run(['--help'], [entry(echo), broken]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/echo +prints its options\n {2}broken +\(cannot load: Unexpected token\)\n/);
  });

  it('exits 130 on cancellation and preprocess leaves no output file', async () => {
    const dir = join(outputDir('cli-runner'), 'cancelled');
    const controller = new AbortController();
    const running = run(['preprocess', photo('chelsea'), '--out-dir', dir], [preprocessCommand], {}, controller.signal);
    controller.abort();
    const result = await running;
    expect(result).toEqual({ code: 130, stdout: '', stderr: 'iir: cancelled\n' });
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
