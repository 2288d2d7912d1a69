/**
 * Colour-blind-safe colours: Okabe–Ito for categories (distinguishable under
 * the common colour-vision deficiencies) and viridis for continuous values
 * (perceptually uniform, monotone in lightness, so it reads in greyscale).
 */

/** Okabe & Ito (2008) categorical palette, black last (used for reference lines). */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

/** Colour of category i (cycles after the seven colours). */
export function categorical(i: number): string {
  return OKABE_ITO[((i % 7) + 7) % 7];
}

// viridis sampled at 33 evenly spaced points (matplotlib's colormap values);
// linear interpolation between them stays within 3/255 of its 256-entry table.
const VIRIDIS_ANCHORS = [
  0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453781, 0x424086, 0x3e4989, 0x3b528b, 0x375b8d, 0x33638d, 0x2f6b8e, 0x2c728e, 0x297a8e, 0x26828e,
  0x23898e, 0x21918c, 0x1f988b, 0x1fa088, 0x22a785, 0x28ae80, 0x32b67a, 0x3fbc73, 0x4ec36b, 0x5ec962, 0x70cf57, 0x84d44b, 0x98d83e, 0xaddc30, 0xc2df23,
  0xd8e219, 0xece51b, 0xfde725,
];

/** viridis at t ∈ [0, 1] (clamped) as [r, g, b] in 0…255. */
export function viridisRgb(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS_ANCHORS.length - 1);
  const i = Math.min(VIRIDIS_ANCHORS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS_ANCHORS[i],
    b = VIRIDIS_ANCHORS[i + 1];
  const ch = (c: number, s: number): number => (c >> s) & 0xff;
  return [16, 8, 0].map((s) => Math.round(ch(a, s) + f * (ch(b, s) - ch(a, s)))) as [number, number, number];
}

/** viridis at t ∈ [0, 1] as a #rrggbb string. */
export function viridis(t: number): string {
  return (
    '#' +
    viridisRgb(t)
      .map((c) => c.toString(16).padStart(2, '0'))
      .join('')
  );
}

/** Black or white, whichever reads better on the given #rrggbb fill (WCAG relative luminance). */
export function textOn(fill: string): string {
  const n = parseInt(fill.slice(1), 16);
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return L > 0.2 ? '#000000' : '#ffffff';
}
