import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editParamsSchema } from '../../../shared/api';
import { SerialEngine } from '../../../main/batch/engine';
import { listBatchInputs } from '../../../main/batch/inputs';
import { readReport } from '../../../main/batch/report';
import { runBatch, type BatchRequest } from '../../../main/batch/runner';
import { EngineClient } from '../../../main/engine/process/client';
import { forkLauncher, sourceEntry } from '../../../main/engine/process/launcher';
import { ensureFixtures } from '../../fixtures/models/all';
import { cacheDir } from '../../setup/global';
import { loadPhoto, paint, pureRed } from '../segmentation/helpers';
import { runIirHere } from '../../helpers/cli';
import { changesAround } from '../../helpers/changes';

const work = join(cacheDir, 'batch');
const photos = join(work, 'photos');
let models: string;
let client: EngineClient;

/** The red squares the fixture GroundingDINO finds for "red", one per photo (x1/y1 exclusive). */
const squares = {
  'a-chelsea.png': { x0: 60, y0: 60, x1: 140, y1: 130 },
  'b-chelsea-flopped.png': { x0: 250, y0: 150, x1: 330, y1: 220 },
} as const;
/** --dilate 4 + --feather 4 around a square: pixels beyond this margin must be untouched. */
const margin = 10;

const params = editParamsSchema.parse({
  prompt: 'a blue box',
  steps: 2,
  size: 512,
  sd: 'sd15',
  controlnet: 'controlnet-canny',
  provider: 'cpu',
  dilatePx: 4,
  featherPx: 4,
  seed: 7,
});

function request(outDir: string, signal = new AbortController().signal): Omit<BatchRequest, 'inputs'> {
  return {
    outDir,
    region: 'red',
    boxThreshold: 0.35,
    textThreshold: 0.25,
    params,
    modelsDir: models,
    provider: 'cpu',
    jobs: 2,
    signal,
    runId: String(Math.random()),
    overwrite: false,
  };
}

beforeAll(async () => {
  models = ensureFixtures();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(photos, { recursive: true });
  const chelsea = paint(await loadPhoto('chelsea'), [{ rect: squares['a-chelsea.png'], rgb: pureRed }]);
  const cat = await loadPhoto('chelsea');
  // The same cat, mirrored, with the square elsewhere (the other photos have red of their own the text would find).
  const flopped = await sharp(cat.data, { raw: { width: cat.width, height: cat.height, channels: 3 } })
    .flop()
    .raw()
    .toBuffer();
  const mirrored = paint({ ...cat, data: new Uint8Array(flopped) }, [
    { rect: squares['b-chelsea-flopped.png'], rgb: pureRed },
  ]);
  for (const [name, image] of [
    ['a-chelsea.png', chelsea],
    ['b-chelsea-flopped.png', mirrored],
  ] as const) {
    await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toFile(join(photos, name));
  }
  // Nothing red here: the text finds nothing.
  await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png()
    .toFile(join(photos, 'c-gray.png'));
  writeFileSync(join(photos, 'notes.txt'), 'not a photo');
  client = new EngineClient(forkLauncher(sourceEntry()));
});

afterAll(() => client?.dispose());

describe('a batch edit by text over a folder', () => {
  it('lists a folder’s photos in name order, without other files', async () => {
    const inputs = await listBatchInputs([photos]);
    expect(inputs.map((p) => p.slice(photos.length + 1))).toEqual([
      'a-chelsea.png',
      'b-chelsea-flopped.png',
      'c-gray.png',
    ]);
    await expect(listBatchInputs([join(photos, 'notes.txt')])).rejects.toThrow(/notes\.txt is not a photo/);
    await expect(listBatchInputs([join(work, 'missing')])).rejects.toThrow(/cannot read missing: no such file/);
  });

  it('edits the found region of each photo, skips and reports photos where nothing is found', async () => {
    const out = join(work, 'out');
    const engine = new SerialEngine(client);
    const lines: string[] = [];
    const summary = await runBatch(
      { ...request(out), inputs: await listBatchInputs([photos]), onLine: (line) => lines.push(line.input) },
      engine,
    );
    expect(summary).toMatchObject({ total: 3, edited: 2, notFound: 1, failed: 0, skipped: 0 });
    expect(summary.engineBusy).toBeGreaterThan(0);
    expect(lines).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual(['a-chelsea.png', 'b-chelsea-flopped.png', 'report.jsonl']);

    const report = await readReport(join(out, 'report.jsonl'));
    const gray = report.get(join(photos, 'c-gray.png'))!;
    expect(gray).toMatchObject({ status: 'not_found', output: null, instances: [] });
    expect(gray.bestScore).toBeLessThan(0.35);
    expect(gray.message).toMatch(/no region found for "red"/);
    for (const name of ['a-chelsea.png', 'b-chelsea-flopped.png'] as const) {
      const line = report.get(join(photos, name))!;
      expect(line).toMatchObject({ status: 'edited', output: join(out, name), seed: 7 });
      expect(line.instances.length).toBeGreaterThan(0);
      expect(line.bestScore).toBeGreaterThan(0.35);
      expect(line.timingsMs.edit).toBeGreaterThan(0);
      const counts = await changesAround(join(photos, name), join(out, name), squares[name], margin);
      expect(counts.outside).toBe(0);
      expect(counts.inside).toBeGreaterThan(1000);
    }
  });

  it('resumes: a re-run skips photos whose output and report line exist, and redoes a lost output', async () => {
    const out = join(work, 'out');
    rmSync(join(out, 'b-chelsea-flopped.png'));
    // A line cut short by a crash is ignored and does not break the next line.
    writeFileSync(join(out, 'report.jsonl'), readFileSync(join(out, 'report.jsonl'), 'utf8') + '{"input":"cut');
    const summary = await runBatch(
      { ...request(out), inputs: await listBatchInputs([photos]) },
      new SerialEngine(client),
    );
    expect(summary).toMatchObject({ total: 3, edited: 1, notFound: 0, skipped: 2 });
    expect(existsSync(join(out, 'b-chelsea-flopped.png'))).toBe(true);
    const report = await readReport(join(out, 'report.jsonl'));
    expect(report.get(join(photos, 'b-chelsea-flopped.png'))?.status).toBe('edited');
  });

  it('reports a photo that cannot be read and goes on', async () => {
    const broken = join(work, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'a-bad.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2]));
    const out = join(work, 'out-broken');
    const summary = await runBatch(
      { ...request(out), inputs: [join(broken, 'a-bad.jpg'), join(photos, 'c-gray.png')] },
      new SerialEngine(client),
    );
    expect(summary).toMatchObject({ failed: 1, notFound: 1 });
    const line = (await readReport(join(out, 'report.jsonl'))).get(join(broken, 'a-bad.jpg'))!;
    expect(line.status).toBe('failed');
    expect(line.error).toMatch(/a-bad\.jpg/);
    expect(line.error).not.toMatch(/\n/);
  });

  it('stops on Ctrl-C without leaving a half-written file', async () => {
    const out = join(work, 'out-cancel');
    const controller = new AbortController();
    const run = runBatch(
      { ...request(out, controller.signal), inputs: await listBatchInputs([photos]), onStep: () => controller.abort() },
      new SerialEngine(client),
    );
    await expect(run).rejects.toThrow(/cancel/i);
    const left = existsSync(out) ? readdirSync(out) : [];
    expect(left.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(left.filter((name) => name.endsWith('.png'))).toEqual([]);
  });
});

describe('iir batch', () => {
  const iir = (...args: string[]) =>
    runIirHere(args, { env: { ...process.env, IIR_USER_DATA: join(work, 'user-data') } });
  const common = (out: string): string[] => [
    '--region',
    'red',
    '--prompt',
    'a blue box',
    '--models',
    models,
    '--sd',
    'sd15',
    '--controlnet',
    'controlnet-canny',
    '--steps',
    '2',
    '--provider',
    'cpu',
    '--seed',
    '3',
    '--out',
    out,
  ];

  it('prints one JSON line per photo, then the totals', async () => {
    const out = join(work, 'cli-out');
    const run = await iir('batch', photos, ...common(out), '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(
      lines
        .slice(0, 3)
        .map((l) => l.status)
        .sort(),
    ).toEqual(['edited', 'edited', 'not_found']);
    expect(lines[3]).toMatchObject({ summary: { total: 3, edited: 2, notFound: 1, failed: 0 } });
    const again = await iir('batch', photos, ...common(out), '--json');
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ summary: { skipped: 3, edited: 0 } });
  });

  it('says in one line what is wrong with the arguments', async () => {
    const run = await iir('batch', photos, ...common(join(work, 'cli-bad')), '--strength', '0');
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/strength/);
    const missing = await iir('batch', join(work, 'nowhere'), ...common(join(work, 'cli-bad')));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('iir: cannot read nowhere: no such file');
  });
});
