/**
 * What a PredANN user reads off the EEG identification study besides the
 * accuracy-vs-length curve: top-1 per listener and per song at the base
 * window, and the song confusions at every window length.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, { message: 'expected a finite number' });
const maybe = finite.nullable();

export const identificationDetailSchema = z.object({
  /** Shortest evaluated length, s (the decoder window). */
  baseWindow: z.number().positive(),
  /** Top-1 per decoder × split × listener at the base window, mean combination; p from label permutations. */
  perSubject: z.array(
    z.object({
      decoder: z.string(),
      split: z.string(),
      subject: z.string(),
      top1: finite,
      lo: maybe,
      hi: maybe,
      p: maybe,
      n: z.number().int().nullable(),
      chance: maybe,
    }),
  ),
  /** Top-1 per decoder × split × true song at the base window, listeners pooled. */
  perSong: z.array(z.object({ decoder: z.string(), split: z.string(), song: z.string(), top1: finite, n: z.number().int().nullable() })),
  /** Confusion counts [heard][identified], listeners pooled, at every window length. */
  confusions: z.array(
    z.object({
      decoder: z.string(),
      split: z.string(),
      window: z.number().positive(),
      songs: z.array(z.string()),
      counts: z.array(z.array(z.number().nonnegative())),
    }),
  ),
});
export type IdentificationDetail = z.infer<typeof identificationDetailSchema>;
