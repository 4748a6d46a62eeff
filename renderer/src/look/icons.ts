/**
 * The editor's icons: 24×24 outline paths drawn with `currentColor` (inline SVG, so they follow the theme and need
 * no font or file download).
 */
export const icons = {
  pan: 'M12 3v18M3 12h18M12 3 9.5 5.5M12 3l2.5 2.5M12 21l-2.5-2.5M12 21l2.5-2.5M3 12l2.5-2.5M3 12l2.5 2.5M21 12l-2.5-2.5M21 12l-2.5 2.5',
  brush:
    'M20 4 11.5 12.5M20 4c-2.5 4-5 7-7 8.5M20 4c-4 2.5-7 5-8.5 7M10.5 13.5c-2.2-.6-4 .7-4.4 2.6-.3 1.6-1 2.9-2.6 3.4 3.3 1.1 6.9.4 7.6-2.3.3-1.3 0-2.8-.6-3.7z',
  eraser: 'M4.4 14.6 13.6 5.4a2 2 0 0 1 2.8 0l3.2 3.2a2 2 0 0 1 0 2.8L11.5 19.5H8.3zM9.5 9.5l5 5M11.5 19.5H20',
  lasso:
    'M12 4c4.7 0 8.5 2.4 8.5 5.5S16.7 15 12 15s-8.5-2.4-8.5-5.5S7.3 4 12 4zM6.5 13.8c-1 1.3-.7 3.1.9 3.7 1.3.5 1.9 1.6 1.2 3',
  box: 'M4 8V5h3M10.5 5h3M17 5h3v3M20 10.5v3M20 16v3h-3M13.5 19h-3M7 19H4v-3M4 13.5v-3',
  positive: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM12 8v8M8 12h8',
  negative: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM8 12h8',
  protect: 'M12 3 19 6v5c0 4.4-2.9 8-7 10-4.1-2-7-5.6-7-10V6zM9 12l2 2 4-4',
  system: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM12 3.5v17M12 7h4M12 11h6M12 15h5',
  dark: 'M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z',
  light:
    'M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4',
  chevron: 'M9 6l6 6-6 6',
  sparkle:
    'M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8zM18.5 15.5l.8 2.2 2.2.8-2.2.8-.8 2.2-.8-2.2-2.2-.8 2.2-.8z',
} as const;

/** The name of one of {@link icons}. */
export type IconName = keyof typeof icons;
