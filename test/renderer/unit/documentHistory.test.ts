import { describe, expect, it } from 'vitest';
import type { ImageId } from '../../../shared/api';
import {
  type DocumentHistory,
  type HistoryEntry,
  type HistoryStep,
  type Recipe,
  emptyHistory,
  historyRows,
  imageOf,
  record,
  redoTarget,
  stepsTo,
  undoTarget,
} from '../../../renderer/src/editing/documentHistory';

const id = (name: string) => `img_${name}` as ImageId;
const recipe = (prompt: string): Recipe => ({
  prompt,
  noise: 0.1,
  gray: true,
  seed: 1,
  models: ['sd15'],
  provider: 'cpu',
  startedAt: 0,
  durationMs: 1000,
  params: { prompt },
});
let nextId = 1;
const entry = (step: HistoryStep, base = 'a'): HistoryEntry => ({ id: nextId++, time: 0, baseId: id(base), step });
const open = entry({ kind: 'open', name: 'a.png' });
const mask = (label: string) => entry({ kind: 'mask', label });
const generate = (prompt: string) =>
  entry({ kind: 'generate', resultIds: [id('r1'), id('r2')], recipe: recipe(prompt) });
const keep = (prompt: string) =>
  entry({ kind: 'keep', resultId: id('r1'), previousBaseId: id('a'), recipe: recipe(prompt) }, 'r1');

function build(...entries: HistoryEntry[]): DocumentHistory {
  return entries.reduce(record, emptyHistory);
}

describe('document history', () => {
  it('undo and redo skip the steps that changed nothing (open, generate)', () => {
    const history = build(open, mask('brush'), generate('a red cup'), keep('a red cup'), generate('blue'));
    expect(undoTarget(history)).toBe(3);
    expect(redoTarget(history)).toBeNull();
    const afterUndo = { ...history, cursor: 2 };
    expect(undoTarget(afterUndo)).toBe(1);
    expect(redoTarget(afterUndo)).toBe(3);
    expect(undoTarget({ ...history, cursor: 0 })).toBeNull();
  });

  it('a new step after undoing drops the undone steps', () => {
    const history = { ...build(open, mask('brush'), keep('x')), cursor: 1 };
    const next = record(history, mask('lasso'));
    expect(next.entries.map((e) => e.step.kind)).toEqual(['open', 'mask', 'mask']);
    expect(next.cursor).toBe(2);
    expect(redoTarget(next)).toBeNull();
  });

  it('counts the undos or redos that restore a step', () => {
    const history = build(open, mask('a'), mask('b'), generate('p'), keep('p'), mask('c'));
    expect(stepsTo(history, 0)).toBe(-4);
    expect(stepsTo(history, 3)).toBe(-2);
    expect(stepsTo(history, 5)).toBe(0);
    expect(stepsTo({ ...history, cursor: 0 }, 4)).toBe(3);
  });

  it('groups consecutive mask changes into one row and finds steps by prompt', () => {
    const entries = build(
      open,
      mask('brush'),
      mask('lasso'),
      mask('brush'),
      generate('A Green cup'),
      keep('a green cup'),
    ).entries;
    const rows = historyRows(entries);
    expect(rows.map((row) => [row.entry.step.kind, row.first, row.index, row.count])).toEqual([
      ['open', 0, 0, 1],
      ['mask', 1, 3, 3],
      ['generate', 4, 4, 1],
      ['keep', 5, 5, 1],
    ]);
    expect(rows[1]!.labels).toEqual(['brush', 'lasso']);
    expect(historyRows(entries, 'green').map((row) => row.index)).toEqual([4, 5]);
    expect(historyRows(entries, 'purple')).toEqual([]);
  });

  it('shows a generation by its first result and other steps by their base', () => {
    expect(imageOf(generate('x'))).toBe('img_r1');
    expect(imageOf(keep('x'))).toBe('img_r1');
    expect(imageOf(mask('m'))).toBe('img_a');
  });
});
