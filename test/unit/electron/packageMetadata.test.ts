import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

type Version = [number, number, number];
const parse = (text: string): Version => [...text.split('.').map(Number), 0, 0].slice(0, 3) as Version;
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` satisfies an npm engines range made of `||`, `>=x.y.z`, `^x.y.z` and `x.y.z - …` clauses. */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((clause) =>
    clause
      .trim()
      .replace(/(>=|\^)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        const caret = /^\^(\d+(?:\.\d+){0,2})$/.exec(comparator);
        if (caret) return compare(version, parse(caret[1]!)) >= 0 && version[0] === parse(caret[1]!)[0];
        const atLeast = /^>=(\d+(?:\.\d+){0,2})$/.exec(comparator);
        if (atLeast) return compare(version, parse(atLeast[1]!)) >= 0;
        throw new Error(`unexpected engines comparator "${comparator}" in "${range}"`);
      }),
  );
}

describe('package.json', () => {
  it('asks for a Node that every build tool accepts', () => {
    const lowest = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
    expect(lowest, pkg.engines.node).toBeDefined();
    const tools = ['electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'typescript'];
    for (const tool of tools) {
      const manifest = join(root, 'node_modules', tool, 'package.json');
      const { engines } = JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: string } };
      if (engines?.node)
        expect(satisfies(parse(lowest!), engines.node), `${tool} needs node ${engines.node}`).toBe(true);
    }
  });

  it('approves onnxruntime-node’s install script, as npm itself reads allowScripts', () => {
    expect(pkg.allowScripts).toMatchObject({ 'onnxruntime-node': true });
    const report = JSON.parse(
      execFileSync('npm', ['install-scripts', 'ls', '--json'], { cwd: root, encoding: 'utf8' }),
    ) as { allowScripts: { name: string }[] };
    expect(report.allowScripts.map((entry) => entry.name)).not.toContain('onnxruntime-node');
  });

  it('never turns off the Chromium sandbox', () => {
    expect(Object.values(pkg.scripts).filter((script) => script.includes('--no-sandbox'))).toEqual([]);
    expect(readFileSync(join(root, 'electron-builder.yml'), 'utf8')).not.toContain('no-sandbox');
  });
});
