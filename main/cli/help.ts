import type { Command } from './command';
import type { OptionSpec } from './options';

/** The program's name as users type it (`npm run iir --` runs it from a checkout). */
export const programName = 'iir';

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = spec.short ? `-${spec.short}, --${name}` : `--${name}`;
  return spec.type === 'boolean' ? flag : `${flag} <${spec.valueName}>`;
}

function optionDetail(spec: OptionSpec): string {
  const notes: string[] = [];
  if (spec.type === 'string' && spec.choices) notes.push(`one of: ${spec.choices.join(', ')}`);
  if (spec.type === 'number' && (spec.min !== undefined || spec.max !== undefined)) {
    notes.push(`${spec.min ?? '−∞'}–${spec.max ?? '∞'}`);
  }
  if (spec.type !== 'boolean' && spec.default !== undefined) notes.push(`default: ${spec.default}`);
  if (spec.type !== 'boolean' && spec.required) notes.push('required');
  if (spec.type !== 'boolean' && spec.multiple) notes.push('repeatable');
  return notes.length ? `${spec.description} (${notes.join('; ')})` : spec.description;
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.min(32, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width ? `  ${left}\n  ${' '.repeat(width + 2)}${right}` : `  ${left.padEnd(width + 2)}${right}`,
  );
}

/** `<command> --help`: usage line, description, arguments, every option with its value name and limits. */
export function commandHelp(command: Command): string {
  const positionals = command.positionals
    .map((p) => {
      const word = p.variadic ? `<${p.name}>…` : `<${p.name}>`;
      return p.optional ? `[${word}]` : word;
    })
    .join(' ');
  const lines = [`Usage: ${programName} ${command.name}${positionals ? ` ${positionals}` : ''} [options]`, ''];
  lines.push(command.description ?? command.summary, '');
  if (command.positionals.length) {
    lines.push('Arguments:', ...table(command.positionals.map((p) => [`<${p.name}>`, p.description])), '');
  }
  const options = Object.entries(command.options).map(
    ([name, spec]) => [optionLabel(name, spec), optionDetail(spec)] as const,
  );
  options.push(['-h, --help', 'show this help']);
  lines.push('Options:', ...table(options), '');
  if (command.examples?.length) {
    lines.push('Examples:', ...command.examples.map((e) => `  ${programName} ${e}`), '');
  }
  return lines.join('\n');
}

/** `iir --help`: every command with its summary. */
export function programHelp(commands: readonly Command[]): string {
  return [
    `Usage: ${programName} <command> [options]`,
    '',
    'IIR Studio from the command line: text-to-image editing by Image Information Removal.',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    `Run '${programName} <command> --help' for a command's options.`,
    '',
  ].join('\n');
}
