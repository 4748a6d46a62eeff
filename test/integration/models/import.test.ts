import { cp, mkdtemp, readFile, rm, symlink, writeFile, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalogPath, loadCatalog } from '../../../main/models/catalog';
import type { Catalog } from '../../../main/models/catalogSchema';
import { checkContract } from '../../../main/models/contract';
import { diskUsage, importModel, removeModel, verifyModel } from '../../../main/models/manage';
import { readOnnxSignature } from '../../../main/models/onnxHeader';
import { listInstalled, resolveModel } from '../../../main/models/receipt';
import { FIXTURE_FOLDERS, ensureFixtures } from '../../fixtures/models/all';
import { writeOnnxModel } from '../../fixtures/models/onnx';
import { controlNetGraph } from '../../fixtures/models/sdGraphs';
import { writeSegmentationFixtures } from '../../fixtures/models/segmentation';
import { cacheDir } from '../../setup/global';

let fixtures: string;
let segmentation: string;
let catalog: Catalog;
let work: string;

beforeAll(async () => {
  fixtures = ensureFixtures();
  catalog = await loadCatalog(builtinCatalogPath());
  await mkdir(join(cacheDir, 'models'), { recursive: true });
  work = await mkdtemp(join(cacheDir, 'models', 'import-'));
  segmentation = join(work, 'segmentation');
  writeSegmentationFixtures(segmentation);
});

async function copyOf(folder: string, root = fixtures): Promise<string> {
  const dir = await mkdtemp(join(work, 'src-'));
  await cp(join(root, folder), dir, { recursive: true });
  return dir;
}

async function modelsDir(): Promise<string> {
  return await mkdtemp(join(work, 'models-'));
}

describe('ONNX signature reader', () => {
  it('reads names, types and symbolic/fixed dims of a ControlNet without loading it', async () => {
    const sig = await readOnnxSignature(join(fixtures, FIXTURE_FOLDERS.controlnetIir, 'model.onnx'));
    expect(sig.inputs.map((i) => i.name)).toEqual([
      'sample',
      'timestep',
      'encoder_hidden_states',
      'controlnet_cond',
      'conditioning_scale',
    ]);
    expect(sig.inputs.find((i) => i.name === 'controlnet_cond')).toEqual({
      name: 'controlnet_cond',
      type: 'float32',
      shape: ['batch', 4, 'image_height', 'image_width'],
    });
    expect(sig.inputs.find((i) => i.name === 'conditioning_scale')?.type).toBe('float64');
    expect(sig.outputs).toHaveLength(13);
    expect(sig.outputs[12]?.name).toBe('mid_block_additional_residual');
  });

  it('reads graphs whose weights sit in an external data file', async () => {
    const sig = await readOnnxSignature(join(fixtures, FIXTURE_FOLDERS.sd15External, 'unet', 'model.onnx'));
    expect(sig.inputs.map((i) => i.name)).toContain('encoder_hidden_states');
    expect(sig.outputs.map((o) => o.name)).toEqual(['out_sample']);
  });

  it('refuses a file that is not ONNX', async () => {
    const file = join(work, 'not.onnx');
    await writeFile(file, 'hello, this is text');
    await expect(readOnnxSignature(file)).rejects.toThrow(/is not a readable ONNX model/);
  });
});

describe('role contracts on the fixture folders', () => {
  it.each([
    [FIXTURE_FOLDERS.sd15, 'sd15'],
    [FIXTURE_FOLDERS.sd15Fp16, 'sd15'],
    [FIXTURE_FOLDERS.sd15Int64Scalar, 'sd15'],
    [FIXTURE_FOLDERS.sd15External, 'sd15'],
    [FIXTURE_FOLDERS.sd15FusedIir, 'sd15'],
    [FIXTURE_FOLDERS.lcm, 'lcm'],
    [FIXTURE_FOLDERS.controlnetCanny, 'controlnet-canny'],
    [FIXTURE_FOLDERS.controlnetIir, 'controlnet-iir'],
    [FIXTURE_FOLDERS.controlnetIirFp16, 'controlnet-iir'],
    [FIXTURE_FOLDERS.controlnetIirInt64External, 'controlnet-iir'],
  ] as const)('%s satisfies %s', async (folder, role) => {
    const files = await checkContract(join(fixtures, folder), catalog.roles[role]!, folder);
    // the listing it checked holds the folder's ONNX graphs
    expect(files.filter((f) => f.endsWith('.onnx')).length).toBeGreaterThan(0);
  });

  it('grounding and SAM fixtures satisfy their roles', async () => {
    await checkContract(join(segmentation, 'grounding-dino'), catalog.roles.grounding!, 'grounding');
    await checkContract(join(segmentation, 'sam'), catalog.roles.sam!, 'sam');
  });

  it('a Canny ControlNet is not an IIR ControlNet: the channel count is named', async () => {
    await expect(
      checkContract(join(fixtures, FIXTURE_FOLDERS.controlnetCanny), catalog.roles['controlnet-iir']!, 'x'),
    ).rejects.toThrow(
      'x: model.onnx input "controlnet_cond" dim 1: expected 4, found 3 (shape [batch,3,image_height,image_width])',
    );
  });
});

describe('importModel', () => {
  it('copies a good folder, detects its role, writes a receipt the engine resolves, and verify passes', async () => {
    const models = await modelsDir();
    const source = await copyOf(FIXTURE_FOLDERS.sd15);
    const receipt = await importModel({ modelsDir: models, source, id: 'my-sd', mode: 'copy', catalog });
    expect(receipt.role).toBe('sd15');
    expect(receipt.files.map((f) => f.path)).toContain('unet/model.onnx');
    expect(receipt.files.map((f) => f.path)).not.toContain('model.json');
    const original = await readFile(join(source, 'unet', 'model.onnx'));
    expect((await readFile(join(models, 'my-sd', 'unet', 'model.onnx'))).equals(original)).toBe(true);
    expect(existsSync(source)).toBe(true);
    const resolved = await resolveModel(models, 'my-sd', 'sd15');
    expect(resolved.dir).toBe(join(models, 'my-sd'));
    await expect(resolveModel(models, 'my-sd', 'controlnet-canny')).rejects.toThrow(
      /is a sd15 model, not controlnet-canny/,
    );
    await expect(resolveModel(models, 'other')).rejects.toThrow(/"other" is not installed.*models pull other/);
    expect(await verifyModel(models, 'my-sd')).toEqual({ id: 'my-sd', ok: true, problems: [] });
  });

  it('moves a folder, and links one in place without copying', async () => {
    const models = await modelsDir();
    const moved = await copyOf(FIXTURE_FOLDERS.controlnetIir);
    await importModel({ modelsDir: models, source: moved, id: 'iir', mode: 'move', catalog });
    expect(existsSync(moved)).toBe(false);
    expect(existsSync(join(models, 'iir', 'model.onnx'))).toBe(true);

    const linked = await copyOf(FIXTURE_FOLDERS.controlnetCanny);
    const receipt = await importModel({ modelsDir: models, source: linked, id: 'canny', mode: 'link', catalog });
    expect(receipt.location).toBe(linked);
    expect(existsSync(join(models, 'canny', 'model.onnx'))).toBe(false);
    expect((await resolveModel(models, 'canny', 'controlnet-canny')).dir).toBe(linked);
    expect((await listInstalled(models)).map((m) => [m.id, m.receipt.role])).toEqual([
      ['canny', 'controlnet-canny'],
      ['iir', 'controlnet-iir'],
    ]);
    const usage = await diskUsage(models);
    expect(usage.models.find((m) => m.id === 'canny')?.linked).toBe(true);
    await removeModel(models, 'canny');
    expect(existsSync(join(linked, 'model.onnx'))).toBe(true);
    expect(existsSync(join(models, 'canny'))).toBe(false);
  });

  it('names a missing file', async () => {
    const source = await copyOf(FIXTURE_FOLDERS.sd15);
    await rm(join(source, 'vae_decoder', 'model.onnx'));
    await expect(
      importModel({ modelsDir: await modelsDir(), source, id: 'broken', role: 'sd15', mode: 'copy', catalog }),
    ).rejects.toThrow('broken (sd15): missing file vae_decoder/model.onnx');
  });

  it('names a wrong input name with what was expected and what was found', async () => {
    const source = await copyOf(FIXTURE_FOLDERS.controlnetCanny);
    const file = join(source, 'model.onnx');
    // Same length, so the protobuf stays well-formed: the graph now calls its control input "controlnet_hint".
    const bytes = await readFile(file);
    await writeFile(
      file,
      Buffer.from(bytes.toString('latin1').replaceAll('controlnet_cond', 'controlnet_hint'), 'latin1'),
    );
    await expect(
      importModel({ modelsDir: await modelsDir(), source, id: 'cn', role: 'controlnet-canny', mode: 'copy', catalog }),
    ).rejects.toThrow(
      'cn (controlnet-canny): model.onnx has no input "controlnet_cond" (expected controlnet_cond float32|float16 [B,3,H,W]; found inputs: sample, timestep, encoder_hidden_states, controlnet_hint, conditioning_scale)',
    );
  });

  it('names a wrong channel count', async () => {
    const source = await copyOf(FIXTURE_FOLDERS.controlnetCanny);
    writeOnnxModel(join(source, 'model.onnx'), controlNetGraph({ channels: 5 }));
    const models = await modelsDir();
    await expect(
      importModel({ modelsDir: models, source, id: 'cn', role: 'controlnet-canny', mode: 'copy', catalog }),
    ).rejects.toThrow('model.onnx input "controlnet_cond" dim 1: expected 3, found 5');
    expect(existsSync(join(models, 'cn'))).toBe(false);
  });

  it('refuses a folder with a link that escapes it', async () => {
    const source = await copyOf(FIXTURE_FOLDERS.controlnetCanny);
    await symlink('/etc/hostname', join(source, 'notes.txt'));
    await expect(
      importModel({ modelsDir: await modelsDir(), source, id: 'cn', mode: 'copy', catalog }),
    ).rejects.toThrow('notes.txt is a link; a model folder must hold real files');
  });

  it('cannot guess the role of an unrelated folder', async () => {
    const source = await mkdtemp(join(work, 'src-'));
    await writeFile(join(source, 'readme.txt'), 'hi');
    await expect(importModel({ modelsDir: await modelsDir(), source, id: 'x', mode: 'copy', catalog })).rejects.toThrow(
      /cannot tell what .* is; pass --role/,
    );
  });
});

describe('verify and remove', () => {
  it('verify names a changed and a missing file; rm deletes the folder and its .part leftovers', async () => {
    const models = await modelsDir();
    const source = await copyOf(FIXTURE_FOLDERS.controlnetIir);
    await importModel({ modelsDir: models, source, id: 'iir', mode: 'copy', catalog });
    const file = join(models, 'iir', 'model.onnx');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(file, bytes);
    const result = await verifyModel(models, 'iir');
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/^model\.onnx: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}$/);
    await rm(file);
    expect((await verifyModel(models, 'iir')).problems).toEqual(['model.onnx: missing']);

    await writeFile(join(models, 'iir', 'extra.bin.part'), Buffer.alloc(1234));
    const usage = await diskUsage(models);
    expect(usage.partialBytes).toBe(1234);
    expect(usage.totalBytes).toBeGreaterThanOrEqual((await stat(join(models, 'iir', 'model.json'))).size + 1234);
    expect(usage.models).toEqual([
      { id: 'iir', bytes: usage.totalBytes, partialBytes: 1234, linked: false, installed: true },
    ]);
    const { removedBytes } = await removeModel(models, 'iir');
    expect(removedBytes).toBe(usage.totalBytes);
    expect(existsSync(join(models, 'iir'))).toBe(false);
    await expect(removeModel(models, 'iir')).rejects.toThrow(/no model "iir"/);
  });
});
