import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type BatchEvent, editParamsSchema } from '../../../shared/api';
import { SheetBatches } from '../../../main/batch/sheet';
import { removeLeftoverBatchFolders, SheetPhotos, thumbnailSide } from '../../../main/batch/sheetPhotos';
import { ImageStore } from '../../../main/services/images';
import { box, fakeJobs, photoBytes, recorder } from './sheetFakes';

const width = 320;
const height = 240;
/** What one photo in hand may hold: its pixels and file, its region, its result (pixels, stored values, region). */
const perPhoto = width * height * (3 + 1 + 3 + 3 + 1) + 64 * 1024;
const params = editParamsSchema.parse({ prompt: 'a blue box', provider: 'cpu' });
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A sheet batch over fake jobs and a real store; the "renderer" hands each photo over when main asks for it. */
function sheet(options: { slots?: number; held?: boolean; unreadable?: number } = {}) {
  const store = new ImageStore();
  const root = mkdtempSync(join(tmpdir(), 'iir-sheet-test-'));
  roots.push(root);
  const photos = new SheetPhotos(store, root);
  const jobs = fakeJobs(store, options.held);
  const record = recorder(store);
  const files = new Map<number, Uint8Array>();
  const batches: SheetBatches = new SheetBatches({
    ...jobs.deps,
    photos,
    slots: () => Promise.resolve(options.slots ?? 1),
    emit: (event: BatchEvent) => {
      record.emit(event);
      if (event.type !== 'item' || event.state !== 'opening') return;
      // Handed over at once, while the event is still going out (as a client in this process may).
      const bytes = event.index === options.unreadable ? new Uint8Array([1, 2, 3]) : files.get(event.index)!;
      batches.supply({
        batchId: event.batchId,
        index: event.index,
        image: { bytes, name: `photo-${event.index}.jpg` },
      });
    },
  });
  const start = async (count: number) => {
    for (let i = 0; i < count; i++) files.set(i, await photoBytes(i, width, height));
    return batches.start({ count, region: 'red', boxThreshold: 0.35, textThreshold: 0.25, params });
  };
  return { store, root, photos, jobs, record, batches, start };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString().slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const ended = (events: readonly BatchEvent[], state: 'done' | 'cancelled') =>
  events.some((e) => e.type === 'batch' && e.state === state);

describe('the Batch sheet’s photos in main', () => {
  it.each([1, 2])('holds at most %i photo(s) in hand + 1, and only small pictures at the end', async (slots) => {
    const { store, record, start } = sheet({ slots });
    const baseline = store.usage().bytes;
    const count = 12;
    await start(count);
    await until(() => ended(record.events, 'done'));
    expect(record.items().map((i) => i.state)).toEqual(Array(count).fill('edited'));
    // At every event, besides the small pictures: no more than (slots + 1) photos' worth (the old sheet held every
    // photo from the start: 12 × 230 kB of pixels alone).
    expect(Math.max(...record.held) - baseline).toBeLessThanOrEqual((slots + 1) * perPhoto);
    // At the end: a small picture per photo, nothing else.
    const usage = store.usage();
    expect(usage.count).toBe(count);
    expect(usage.bytes).toBeLessThanOrEqual(count * thumbnailSide * thumbnailSide * 3);
    for (const item of record.items()) {
      // What ran its edit stays with it ("Open in editor" says so): this machine's provider, no remote worker.
      expect(item).toMatchObject({ imageId: null, maskId: null, resultId: null, provider: 'cpu', worker: null });
      const thumb = store.info(item.thumbId!);
      expect([thumb.kind, thumb.width, thumb.height]).toEqual(['preview', thumbnailSide, (thumbnailSide * 3) / 4]);
    }
  });

  it('reopens the right photo with its found region and its result (with its stored edit)', async () => {
    const { store, record, batches, start } = sheet();
    const batchId = await start(4);
    await until(() => ended(record.events, 'done'));
    const opened = await batches.open({ batchId, index: 2 });
    const original = store.info(opened.imageId);
    expect([original.kind, original.name, original.width, original.height]).toEqual([
      'original',
      'photo-2.jpg',
      width,
      height,
    ]);
    expect(store.rgb(opened.imageId).rgb.data[0]).toBeGreaterThan(30); // red 40: photo 2's colour
    expect(store.rgb(opened.imageId).rgb.data[0]).toBeLessThan(50);
    const mask = store.mask(opened.maskId!);
    expect(mask.data.filter((v) => v > 0).length).toBe((box.x1 - box.x0) * (box.y1 - box.y0));
    expect(store.storedEdit(opened.resultId!)?.sourceId).toBe(opened.imageId);
    const difference = await store.difference(opened.resultId!);
    expect(difference.changedOutsideRegion).toBe(0);
    expect(difference.changedPixels).toBe((box.x1 - box.x0) * (box.y1 - box.y0));
    await expect(batches.open({ batchId, index: 9 })).rejects.toThrow(/photo 10 of the batch has nothing to open/);
  });

  it('pauses (photos in hand finish, no new one is asked for), resumes, and cancels: photos are let go', async () => {
    const { store, record, jobs, batches, start } = sheet({ held: true });
    const baseline = store.usage().bytes;
    const states = () => record.items().map((i) => i.state);
    const finishUntil = (check: () => boolean) =>
      until(() => {
        jobs.finishAll();
        return check();
      });
    const batchId = await start(5);
    // One photo in the engine, the next opened ahead of its turn.
    await until(() => states()[0] === 'finding' && states()[1] === 'opening');
    expect(batches.pause(batchId)).toBe('paused');
    await finishUntil(() => states()[0] === 'edited' && states()[1] === 'edited');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(states()).toEqual(['edited', 'edited', 'waiting', 'waiting', 'waiting']);
    expect(batches.resume(batchId)).toBe('running');
    await until(() => states()[2] === 'finding' && states()[3] === 'opening');
    expect(batches.cancel(batchId)).toBe('cancelled');
    await until(() => record.items().every((i) => i.state === 'cancelled' || i.state === 'edited'));
    await until(() => record.items().every((i) => i.imageId === null));
    expect(jobs.cancelled.size).toBe(1);
    expect(states()).toEqual(['edited', 'edited', 'cancelled', 'cancelled', 'cancelled']);
    // The small pictures of the four photos that got their turn, nothing else.
    expect(store.usage().count).toBe(4);
    expect(store.usage().bytes - baseline).toBeLessThanOrEqual(4 * thumbnailSide * thumbnailSide * 3);
  });

  it('fails a photo that is not an image in one line and goes on; refuses a photo nobody asked for', async () => {
    const { record, batches, start } = sheet({ unreadable: 1 });
    const batchId = await start(3);
    await until(() => ended(record.events, 'done'));
    const items = record.items();
    expect(items.map((i) => i.state)).toEqual(['edited', 'failed', 'edited']);
    expect(items[1]!.message).not.toContain('\n');
    expect(items[1]!.message).toMatch(/photo-1\.jpg|not|image|format/i);
    expect(() => batches.supply({ batchId, index: 0, unreadable: 'late' })).toThrow(/not waiting for its file/);
  });

  it('says in one line when it cannot make the folder for finished photos', async () => {
    const store = new ImageStore();
    // A folder cannot be made below a file.
    const root = mkdtempSync(join(tmpdir(), 'iir-sheet-file-'));
    roots.push(root);
    writeFileSync(join(root, 'a-file'), '');
    const photos = new SheetPhotos(store, join(root, 'a-file', 'nested'));
    const batches = new SheetBatches({
      ...fakeJobs(store).deps,
      photos,
      slots: () => Promise.resolve(1),
      emit: () => {},
    });
    const request = { count: 1, region: 'red', boxThreshold: 0.35, textThreshold: 0.25, params };
    const error = await batches.start(request).catch((caught: unknown) => caught as { code: string; message: string });
    expect(error).toMatchObject({ code: 'io_error' });
    expect((error as { message: string }).message).toMatch(
      /^cannot make a folder for the batch's finished photos in .*a-file[/\\]nested: ENOTDIR/,
    );
    expect((error as { message: string }).message).not.toContain('\n');
  });

  it('removes the last batch’s folder when the app exits', () => {
    const root = mkdtempSync(join(tmpdir(), 'iir-sheet-exit-'));
    roots.push(root);
    const url = (path: string) => JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', '..', '..', path)).href);
    const code = [
      `const { SheetPhotos } = await import(${url('main/batch/sheetPhotos.ts')});`,
      `const { ImageStore } = await import(${url('main/services/images.ts')});`,
      `console.log(await new SheetPhotos(new ImageStore(), ${JSON.stringify(root)}).folder());`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().startsWith(join(root, 'iir-batch-'))).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });

  it('keeps finished photos on disk in the batch’s own folder, removed when the next batch starts', async () => {
    const { root, record, start } = sheet();
    await start(2);
    await until(() => ended(record.events, 'done'));
    const [folder] = readdirSync(root);
    expect(folder).toMatch(new RegExp(`^iir-batch-${process.pid}-`));
    expect(readdirSync(join(root, folder!)).length).toBeGreaterThan(2);
    await start(1);
    expect(existsSync(join(root, folder!))).toBe(false);
  });

  it('removes the folders a process no longer running left, and nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'iir-sheet-leftovers-'));
    roots.push(root);
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    const names = [
      `iir-batch-${deadPid}-abc123`, // left by a process that is gone
      `iir-batch-${process.pid}-def456`, // this process's own batch
      `iir-batch-${process.ppid}-ghi789`, // a live process's batch
      'iir-batch-notapid',
      'holiday-photos',
    ];
    for (const name of names) mkdirSync(join(root, name, '0'), { recursive: true });
    expect(await removeLeftoverBatchFolders(root)).toEqual([names[0]]);
    expect(readdirSync(root).sort()).toEqual(names.slice(1).sort());
    expect(await removeLeftoverBatchFolders(join(root, 'missing'))).toEqual([]);
  });
});
