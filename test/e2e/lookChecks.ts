import type { Page } from 'playwright-core';

/**
 * Visible controls the browser still draws its own way: a select, checkbox, radio, slider or progress bar without
 * `appearance: none`, or any control not in the editor's font. Each as "tag[type] name".
 */
export function unstyledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rootFont = getComputedStyle(document.documentElement).fontFamily;
    const drawn = ['SELECT', 'PROGRESS', 'checkbox', 'radio', 'range'];
    const offenders: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>('button, input, select, textarea, progress')) {
      if (element.getClientRects().length === 0 || element.classList.contains('visually-hidden')) continue;
      const style = getComputedStyle(element);
      const type = element instanceof HTMLInputElement ? element.type : '';
      const isDrawn = drawn.includes(element.tagName) || drawn.includes(type);
      if ((isDrawn && style.appearance !== 'none') || style.fontFamily !== rootFont) {
        const name = element.dataset.testid ?? element.getAttribute('aria-label') ?? element.textContent?.trim();
        offenders.push(`${element.tagName.toLowerCase()}[${type}] ${name ?? ''}`);
      }
    }
    return offenders;
  });
}

/**
 * The runs of outline pixels (the dashes' exact white or dark) down the canvas column at page x `xPagePx`, as
 * [first row, length] in canvas pixels.
 */
export function outlineRunsInColumn(page: Page, xPagePx: number): Promise<[number, number][]> {
  return page.evaluate((x) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=editor-canvas]')!;
    const bounds = canvas.getBoundingClientRect();
    const column = Math.round((x - bounds.left) * (canvas.width / bounds.width));
    const pixels = canvas.getContext('2d')!.getImageData(column, 0, 1, canvas.height).data;
    const runs: [number, number][] = [];
    for (let y = 0; y < canvas.height; y++) {
      const [r, g, b] = [pixels[4 * y]!, pixels[4 * y + 1]!, pixels[4 * y + 2]!];
      const isAnts = (r === 255 && g === 255 && b === 255) || (r === 17 && g === 17 && b === 17);
      const last = runs.at(-1);
      if (isAnts && last && last[0] + last[1] === y) last[1]++;
      else if (isAnts) runs.push([y, 1]);
    }
    return runs;
  }, xPagePx);
}

/** True when the element is on screen and not covered or scrolled out of view at its centre. */
export function isReallyVisible(page: Page, testId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const element = document.querySelector<HTMLElement>(`[data-testid=${id}]`);
    if (!element) return false;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.bottom > innerHeight || box.right > innerWidth || box.top < 0) return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === element || element.contains(hit));
  }, testId);
}
