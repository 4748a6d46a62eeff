import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRleMask } from '../../../main/eval/benchFolder';
import { ensureFixtures } from '../../fixtures/models/all';
import { runIirHere } from '../../helpers/cli';
import { editedCopy, photoCrop, rectMask, tempDir, writePng } from './helpers';

/** PIE-Bench's run-length code of a mask: [start, length, …] over the pixels in row order. */
function rle(data: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i]! >= 128 && (i === 0 || data[i - 1]! < 128)) out.push(i, 0);
    if (data[i]! >= 128) out[out.length - 1]!++;
  }
  return out;
}

async function benchFolder(): Promise<string> {
  const root = tempDir('eval-bench-');
  mkdirSync(join(root, 'annotation_images', '0_random'), { recursive: true });
  mkdirSync(join(root, 'edited', '0_random'), { recursive: true });
  const mapping: Record<string, unknown> = {};
  for (const [i, id] of ['000000000000', '000000000001'].entries()) {
    const original = await photoCrop(128, 96, 10 + i * 30, 10);
    const mask = rectMask(128, 96, 40, 30, 90, 70);
    await writePng(join(root, 'annotation_images', '0_random', `${id}.png`), original);
    await writePng(join(root, 'edited', '0_random', `${id}.png`), editedCopy(original, mask, i * 10));
    mapping[id] = {
      image_path: `0_random/${id}.png`,
      original_prompt: 'a [cat] <b>sitting</b>',
      editing_prompt: i === 0 ? 'a [dog] sitting' : '=cmd, "quoted"',
      editing_type_id: '0',
      mask: rle(mask.data),
    };
  }
  writeFileSync(join(root, 'mapping_file.json'), JSON.stringify(mapping));
  return root;
}

describe('iir eval --bench', () => {
  it('decodes PIE-Bench masks as mask_decode does: runs plus the frame border', () => {
    const mask = decodeRleMask([7, 3], 5, 4, 'x');
    const rows = Array.from({ length: 4 }, (_, y) =>
      Array.from(mask.data.slice(y * 5, y * 5 + 5), (v) => (v ? 1 : 0)).join(''),
    );
    expect(rows).toEqual(['11111', '10111', '10001', '11111']);
  });

  it('writes CSV, JSON and a self-contained, escaped HTML report for a PIE-Bench folder', async () => {
    const root = await benchFolder();
    const out = join(root, 'out');
    const run = await runIirHere(['eval', '--bench', root, '--out', out, '--models', ensureFixtures(), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^id,editing_type,source_prompt,target_prompt,psnr,psnr_infinite,mse,ssim,lpips,/);
    expect(csv[1]).toMatch(/^000000000000,0,a cat <b>sitting<\/b>,a dog sitting,,true,0,1,0,/);
    expect(csv[2]).toContain(`"'=cmd, ""quoted"""`);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      summary: Record<string, number>;
      rows: unknown[];
    };
    expect(json.rows).toHaveLength(2);
    expect(json.summary).toMatchObject({ cases: 2, psnr_infinite: 1, dilated_psnr_infinite: 2 });
    expect(json.summary.clip_whole).toBeGreaterThan(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('a cat &#60;b&#62;sitting&#60;/b&#62;');
    expect(html).not.toContain('<b>sitting');
    expect(html.match(/src="data:image\/jpeg;base64,/g)).toHaveLength(4);
    expect(html).not.toMatch(/src="(?!data:)/);
    const again = await runIirHere(['eval', '--bench', root, '--out', out]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already exists; pass --force to replace it');
  });

  it('names what is wrong with a malformed folder in one line', async () => {
    const root = await benchFolder();
    const fail = async (args: string[]) => {
      const run = await runIirHere(['eval', '--bench', root, '--out', join(root, 'o'), ...args]);
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      return run.stderr.trim();
    };
    expect(await fail(['--edited', join(root, 'nope')])).toContain('is not a folder (give --edited <dir>)');
    const mapping = JSON.parse(readFileSync(join(root, 'mapping_file.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    mapping['000000000001']!.image_path = '../../etc/passwd';
    writeFileSync(join(root, 'mapping_file.json'), JSON.stringify(mapping));
    expect(await fail([])).toContain('image_path ../../etc/passwd leaves the benchmark folder');
    delete mapping['000000000001']!.mask;
    writeFileSync(join(root, 'mapping_file.json'), JSON.stringify(mapping));
    expect(await fail([])).toMatch(/entry "000000000001": mask /);
    writeFileSync(join(root, 'mapping_file.json'), '{ not json');
    expect(await fail([])).toContain('mapping_file.json is not valid JSON');
    expect(await fail(['--edited', root, '--original', 'x'])).toContain(
      'give either --bench or --original/--edited/--mask/--prompt, not both',
    );
  });
});
