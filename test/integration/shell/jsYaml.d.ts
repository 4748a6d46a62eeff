// js-yaml (a declared devDependency) ships no types; the packaging test needs only `load`.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
