import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../../main/cli/progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 60, write: (text: string) => writes.push(text) };
}

describe('createProgressBar', () => {
  it('draws on a terminal, at most once per interval, always at 100 %', () => {
    const out = stream(true);
    let time = 0;
    const bar = createProgressBar(out, 'edit', { now: () => time, minIntervalMs: 100 });
    bar.update(0.5, '15/30 steps');
    time = 50;
    bar.update(0.6);
    time = 150;
    bar.update(0.7);
    bar.update(1);
    bar.finish('done');
    expect(out.writes).toHaveLength(5);
    const clear = '\x1b[K';
    expect(out.writes[0]).toBe(`\redit [${'#'.repeat(15)}${'-'.repeat(15)}]  50% 15/30 steps${clear}`);
    expect(out.writes[1]).toContain(' 70%');
    expect(out.writes[2]).toContain('100%');
    expect(out.writes[3]).toBe('\r\x1b[K');
    expect(out.writes[4]).toBe('done\n');
    for (const line of out.writes.slice(0, 3)) expect(line.replace('\x1b[K', '').length).toBeLessThanOrEqual(60);
  });

  it('writes only the final message when stderr is not a terminal', () => {
    const out = stream(false);
    const bar = createProgressBar(out, 'pull');
    bar.update(0.3);
    bar.update(1);
    bar.finish('pulled');
    bar.finish('twice');
    expect(out.writes).toEqual(['pulled\n']);
  });
});
