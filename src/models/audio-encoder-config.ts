/**
 * Configuration of PredANN's audio branch (parsed without tfjs): a 1-D CNN on
 * the waveform, trained jointly with the EEG encoder on song classification,
 * whose embedding is the InfoNCE target of the EEG embedding.
 */
import { z } from 'zod';

export const audioEncoderConfigSchema = z
  .object({
    rate: z
      .number()
      .int()
      .min(500)
      .default(2205)
      .describe(
        'waveform rate fed to the audio CNN, Hz (PredANN: 22050 Hz raw audio; downsampled here by default to keep training CPU-sized: the synth and most EEG-relevant cues, envelope and onsets, live well below 1 kHz)',
      ),
    filters: z
      .array(z.number().int().min(1))
      .min(1)
      .default([16, 32, 64, 64, 128])
      .describe('channels of the stride-3 front convolution followed by each conv → BN → ReLU → max-pool-3 block (after SampleCNN, which PredANN uses)'),
    dropout: z.number().min(0).max(0.9).default(0.5).describe('dropout on the last feature map'),
  })
  .strict();

export type AudioEncoderConfig = z.output<typeof audioEncoderConfigSchema>;
