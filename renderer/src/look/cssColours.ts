/**
 * The computed values of colour custom properties (tokens.css) as the canvas needs them: `rgb(…)` strings resolved
 * for the theme on screen (a token's own text is `light-dark(…)`, which a canvas cannot read).
 */
export function readCssColours<K extends string>(host: Element, tokens: Record<K, string>): Record<K, string> {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  host.appendChild(probe);
  const colours = {} as Record<K, string>;
  for (const key of Object.keys(tokens) as K[]) {
    probe.style.color = `var(${tokens[key]})`;
    colours[key] = getComputedStyle(probe).color;
  }
  probe.remove();
  return colours;
}
