import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError, type OptionSpecs } from '../../../main/cli/options';

const specs = {
  noise: { type: 'number', valueName: 'σ', min: 0, max: 1, default: 0, description: 'noise' },
  seed: { type: 'number', valueName: 'n', integer: true, min: 0, description: 'seed' },
  scope: { type: 'string', valueName: 's', choices: ['roi', 'image'], default: 'roi', description: 'scope' },
  point: { type: 'string', valueName: 'x,y', multiple: true, description: 'a point' },
  out: { type: 'string', valueName: 'file', short: 'o', required: true, description: 'output' },
  json: { type: 'boolean', description: 'json' },
} as const satisfies OptionSpecs;
const positionals = [{ name: 'image', description: 'the image' }] as const;

function parse(args: string[]) {
  return parseCommandLine(args, specs, positionals);
}

function usageError(args: string[]): string {
  try {
    parse(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('no usage error');
}

describe('parseCommandLine', () => {
  it('parses typed values, defaults, aliases and repeated options', () => {
    const parsed = parse(['a.jpg', '--noise', '0.25', '--seed=7', '-o', 'x.png', '--point', '1,2', '--point', '3,4']);
    expect(parsed.help).toBe(false);
    expect(parsed.positionals).toEqual({ image: 'a.jpg' });
    expect(parsed.options).toEqual({
      noise: 0.25,
      seed: 7,
      scope: 'roi',
      point: ['1,2', '3,4'],
      out: 'x.png',
      json: false,
    });
  });

  it('gives undefined for an absent option without default and [] for an absent repeatable one', () => {
    const { options } = parse(['a.jpg', '--out', 'x', '--json']);
    expect(options.seed).toBeUndefined();
    expect(options.point).toEqual([]);
    expect(options.json).toBe(true);
  });

  it('range-checks numbers with clear messages', () => {
    expect(usageError(['a', '--out', 'x', '--noise', '1.5'])).toBe('--noise must be a number from 0 to 1, not "1.5"');
    expect(usageError(['a', '--out', 'x', '--noise', 'abc'])).toBe('--noise must be a number from 0 to 1, not "abc"');
    expect(usageError(['a', '--out', 'x', '--noise', '0x1'])).toBe('--noise must be a number from 0 to 1, not "0x1"');
    expect(usageError(['a', '--out', 'x', '--seed', '2.5'])).toBe('--seed must be a whole number ≥ 0, not "2.5"');
    expect(usageError(['a', '--out', 'x', '--seed=-1'])).toBe('--seed must be a whole number ≥ 0, not "-1"');
  });

  it('refuses unknown options, missing values and repeated single options', () => {
    expect(usageError(['a', '--out', 'x', '--bogus'])).toBe('unknown option --bogus');
    expect(usageError(['a', '--out', 'x', '-z'])).toBe('unknown option -z');
    expect(usageError(['a', '--out'])).toBe('--out needs a value');
    expect(usageError(['a', '--out', 'x', '--noise', '--json'])).toMatch(/^--noise needs a value/);
    expect(usageError(['a', '--out', 'x', '--json=yes'])).toBe('--json does not take a value');
    expect(usageError(['a', '--out', 'x', '--out', 'y'])).toBe('--out is given more than once');
  });

  it('refuses values outside the choices and missing required options', () => {
    expect(usageError(['a', '--out', 'x', '--scope', 'all'])).toBe('--scope must be one of roi, image, not "all"');
    expect(usageError(['a'])).toBe('--out <file> is required');
  });

  it('counts positionals', () => {
    expect(usageError(['--out', 'x'])).toBe('missing <image>');
    expect(usageError(['a', 'b', '--out', 'x'])).toBe('unexpected argument "b"');
  });

  it('collects a variadic positional', () => {
    const parsed = parseCommandLine(['pull', 'a', 'b'], {}, [
      { name: 'action', description: '' },
      { name: 'ids', description: '', variadic: true },
    ] as const);
    expect(parsed.positionals).toEqual({ action: 'pull', ids: ['a', 'b'] });
  });

  it('stops at --help without checking anything else', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h', '--noise', '9']).help).toBe(true);
  });
});
