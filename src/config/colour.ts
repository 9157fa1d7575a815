/**
 * Colour arithmetic for the brand colour setting: WCAG 2.2 contrast between a hex colour and white, so a
 * council cannot configure a header that white text cannot be read on.
 */

/** `#1d70b8` or `#17b` → [r, g, b] in 0–255; null when it is not a hex colour. */
export function parseHexColour(value: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match?.[1]) return null;
  const hex = match[1].length === 3 ? [...match[1]].map((c) => c + c).join('') : match[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: [number, number, number]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The WCAG contrast ratio between white and the colour (1 to 21). */
export function contrastWithWhite(rgb: [number, number, number]): number {
  return 1.05 / (relativeLuminance(rgb) + 0.05);
}

/** The lowest contrast WCAG 2.2 AA allows for normal-size text (1.4.3). */
export const MIN_TEXT_CONTRAST = 4.5;
