import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { IirError } from '../../shared/errors';
import type { ContractFile, DimSpec, RoleContract, TensorRule, TensorContract } from './catalogSchema';
import { readOnnxSignature, type OnnxTensorInfo } from './onnxHeader';

/** Every regular file under `dir`, as forward-slash paths relative to it. Links are reported separately. */
export async function listFolder(dir: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (entry.isSymbolicLink()) links.push(rel);
      else if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(rel);
    }
  }
  await walk(dir);
  return { files: files.sort(), links: links.sort() };
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${escaped}$`);
}

function describeDims(shape: (number | string | null)[] | null): string {
  if (!shape) return 'unknown shape';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

function describeSpec(spec: TensorContract): string {
  const type = spec.type ? ` ${spec.type.join('|')}` : '';
  const shape = spec.shape ? ` [${spec.shape.map((d) => (Array.isArray(d) ? d.join('|') : String(d))).join(',')}]` : '';
  return `${spec.name}${type}${shape}`;
}

/** Null when `found` satisfies `spec`, otherwise what differs. */
function mismatch(spec: TensorContract, found: OnnxTensorInfo): string | null {
  if (spec.type && found.type !== null && !spec.type.includes(found.type as never)) {
    return `type: expected ${spec.type.join(' or ')}, found ${found.type}`;
  }
  if (spec.shape && found.shape) {
    if (found.shape.length !== spec.shape.length) {
      return `rank: expected ${spec.shape.length} ${describeSpec({ name: '', shape: spec.shape }).trim()}, found ${found.shape.length} ${describeDims(found.shape)}`;
    }
    for (let i = 0; i < spec.shape.length; i++) {
      const want: DimSpec | undefined = spec.shape[i];
      const got = found.shape[i];
      // A symbolic or unknown dim in the file accepts any size; a symbol in the spec accepts any dim.
      if (typeof want === 'string' || typeof got !== 'number' || want === undefined) continue;
      const allowed = Array.isArray(want) ? want : [want];
      if (!allowed.includes(got)) {
        return `dim ${i}: expected ${allowed.join(' or ')}, found ${got} (shape ${describeDims(found.shape)})`;
      }
    }
  }
  return null;
}

function checkRule(rule: TensorRule, declared: OnnxTensorInfo[], kind: 'input' | 'output'): string | null {
  const specs = 'anyOf' in rule ? rule.anyOf : [rule];
  const names = declared.map((t) => t.name).join(', ') || 'none';
  const present = specs.map((spec) => ({ spec, found: declared.find((t) => t.name === spec.name) }));
  const candidates = present.filter((p) => p.found);
  if (candidates.length === 0) {
    const wanted = specs.map((s) => `"${s.name}"`).join(' or ');
    return `has no ${kind} ${wanted} (expected ${specs.map(describeSpec).join(' or ')}; found ${kind}s: ${names})`;
  }
  const problems: string[] = [];
  for (const { spec, found } of candidates) {
    const problem = mismatch(spec, found as OnnxTensorInfo);
    if (problem === null) return null;
    problems.push(`${kind} "${spec.name}" ${problem}`);
  }
  return problems.join('; ');
}

async function checkOnnx(dir: string, path: string, file: ContractFile, label: string): Promise<void> {
  if (!file.onnx) return;
  const signature = await readOnnxSignature(join(dir, path));
  for (const rule of file.onnx.inputs) {
    const problem = checkRule(rule, signature.inputs, 'input');
    if (problem) throw new IirError('invalid_argument', `${label}: ${path} ${problem}`);
  }
  for (const rule of file.onnx.outputs) {
    const problem = checkRule(rule, signature.outputs, 'output');
    if (problem) throw new IirError('invalid_argument', `${label}: ${path} ${problem}`);
  }
}

/**
 * Checks a model folder against its role's contract: every required file is there, and every ONNX file the contract
 * names declares the inputs and outputs the engine will feed and read. Links inside the folder are refused (they can
 * point anywhere). Throws an IirError naming the missing file or the mismatched tensor.
 */
export async function checkContract(dir: string, contract: RoleContract, label: string): Promise<string[]> {
  const stat = await lstat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new IirError('not_found', `${label}: ${dir} is not a folder`);
  const { files, links } = await listFolder(dir);
  if (links.length > 0) {
    throw new IirError('invalid_argument', `${label}: ${links[0]} is a link; a model folder must hold real files`);
  }
  for (const entry of contract.files) {
    const pattern = globToRegExp(entry.path);
    const matches = files.filter((f) => pattern.test(f));
    if (matches.length === 0 && !entry.optional) {
      throw new IirError('invalid_argument', `${label}: missing file ${entry.path} in ${dir}`);
    }
    for (const match of matches) await checkOnnx(dir, match, entry, label);
  }
  return files;
}
