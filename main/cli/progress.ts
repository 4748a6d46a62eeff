import type { OutputStream } from './command';

/** A one-line progress display for long work (edits, model downloads). */
export interface ProgressBar {
  /** Sets progress to `fraction` ∈ [0, 1], with optional detail text ("12/30 steps", "1.2 GB of 4 GB, 30 MB/s"). */
  update(fraction: number, detail?: string): void;
  /** Clears the bar; `message`, if given, stays on its own line. */
  finish(message?: string): void;
}

export interface ProgressBarOptions {
  /** Milliseconds between redraws (default 100, so at most 10 per second). */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * A progress bar on `stream`, drawn with carriage returns and only when the stream is a terminal: piped or
 * redirected output gets nothing but the final message, so logs stay clean.
 */
export function createProgressBar(stream: OutputStream, label: string, options: ProgressBarOptions = {}): ProgressBar {
  const { minIntervalMs = 100, now = () => Date.now() } = options;
  const isTerminal = stream.isTTY === true;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;

  const draw = (fraction: number, detail: string | undefined): void => {
    const columns = stream.columns && stream.columns > 20 ? stream.columns : 80;
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
    const tail = detail ? ` ${detail}` : '';
    const barWidth = Math.max(10, Math.min(30, columns - label.length - percent.length - tail.length - 6));
    const filled = Math.round(clamped * barWidth);
    let line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}${tail}`;
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    stream.write(`\r${line}\x1b[K`);
    drawn = true;
  };

  return {
    update(fraction, detail) {
      if (!isTerminal || finished) return;
      const time = now();
      if (fraction < 1 && time - lastDraw < minIntervalMs) return;
      lastDraw = time;
      draw(fraction, detail);
    },
    finish(message) {
      if (finished) return;
      finished = true;
      if (drawn) stream.write('\r\x1b[K');
      if (message) stream.write(`${message}\n`);
    },
  };
}
