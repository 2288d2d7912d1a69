/**
 * The `onnx` config section: ONNX audio models that join a study next to the
 * networks brainalign trains. Each declaration names the model file, the
 * input it expects, which intermediate tensors count as its layers, and its
 * task performance for the alignment ↔ performance analysis.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { readTsv } from '../../io/tsv.js';

/** Bumped when ONNX features change for the same declaration and audio (enters the features stage key). */
export const ONNX_FEATURES_VERSION = 'onnx-1';

const waveformInputSchema = z
  .object({
    kind: z.literal('waveform').describe('raw mono audio, resampled to sr'),
    sr: z.number().positive().describe('sampling rate the model expects, Hz (16000 for wav2vec 2.0, HuBERT, BEATs)'),
    name: z.string().nullable().default(null).describe('graph input to feed (null = the only non-initializer input)'),
  })
  .strict();

const logmelInputSchema = z
  .object({
    kind: z.literal('logmel').describe('log-mel spectrogram in dB (librosa conventions: ref 1, 80 dB floor below the clip peak; src/signal/mel.ts)'),
    sr: z.number().positive().describe('sampling rate the audio is resampled to before the STFT, Hz'),
    nFft: z.number().int().positive().default(1024).describe('FFT length, samples'),
    hop: z.number().int().positive().default(512).describe('hop, samples (frame rate sr/hop Hz)'),
    nMels: z.number().int().positive().default(64).describe('mel bands'),
    layout: z
      .enum(['mel-time', 'time-mel'])
      .nullable()
      .default(null)
      .describe('order of the mel and time axes in the input tensor (null = the axis of fixed size nMels in the model’s input shape is the mel axis)'),
    name: z.string().nullable().default(null).describe('graph input to feed (null = the only non-initializer input)'),
  })
  .strict();

export const onnxInputSchema = z.discriminatedUnion('kind', [waveformInputSchema, logmelInputSchema]);
export type OnnxInput = z.output<typeof onnxInputSchema>;

export const onnxModelSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'letters, digits and - only (it names artifact folders and BIDS desc labels)')
      .describe('model name in the features artifact, the encodings and the report'),
    file: z.string().min(1).describe('the .onnx file, relative to the working directory unless absolute'),
    input: onnxInputSchema.describe('what the model’s input tensor holds'),
    layers: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'which intermediate tensors are layers: node names or output tensor names, as globs (* and ?) or /regular expressions/; [] = every floating-point tensor with a time axis',
      ),
    performance: z
      .union([z.number(), z.string().min(1)])
      .nullable()
      .default(null)
      .describe('task performance for alignment vs performance: a number, or a file (one number, or a TSV with columns model and performance); null = unknown'),
    threads: z.number().int().min(1).default(1).describe('onnxruntime intra-op threads'),
  })
  .strict();
export type OnnxModel = z.output<typeof onnxModelSchema>;

export const onnxSectionSchema = z
  .object({
    models: z.array(onnxModelSchema).default([]).describe('ONNX models of the study (docs/onnx-models.md)'),
  })
  .strict();
export type OnnxSection = z.output<typeof onnxSectionSchema>;

/** A config file as the ONNX features source reads it; other sections pass through. */
export const onnxFileSchema = z.object({ onnx: onnxSectionSchema.default(onnxSectionSchema.parse({})) }).loose();

/** The declaration whose name is `name`, or whose file is the same file as `file`. */
export function findDeclaration(section: OnnxSection, by: { name?: string; file?: string }): OnnxModel | null {
  if (by.name !== undefined) return section.models.find((m) => m.name === by.name) ?? null;
  const want = by.file !== undefined ? path.resolve(by.file) : null;
  return section.models.find((m) => path.resolve(m.file) === want) ?? null;
}

/** A declared performance as a number: given directly, or read from its file. */
export function resolvePerformance(m: OnnxModel): number | null {
  const p = m.performance;
  if (p === null || typeof p === 'number') return p;
  let text: string;
  try {
    text = fs.readFileSync(p, 'utf8');
  } catch {
    throw new InputError(p, `cannot read the performance file of ONNX model ${m.name}`);
  }
  const single = Number(text.trim());
  if (text.trim() !== '' && Number.isFinite(single)) return single;
  const t = readTsv(p);
  if (!t.columns.includes('model') || !t.columns.includes('performance'))
    throw new InputError(p, 'a performance file holds one number or a TSV with columns model and performance');
  const row = t.rows.find((r) => r.model === m.name);
  if (!row) throw new InputError(p, `no row for model ${m.name}`);
  const v = Number(row.performance);
  if (!Number.isFinite(v)) throw new InputError(p, `performance of ${m.name} is not a number: "${row.performance}"`);
  return v;
}

/** Declared performance of every ONNX model of a section, by model name (unknown ones left out). */
export function declaredPerformance(section: OnnxSection): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of section.models) {
    const v = resolvePerformance(m);
    if (v !== null) out[m.name] = v;
  }
  return out;
}
