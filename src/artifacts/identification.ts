/**
 * The decode-eeg artifact: song identification scores per subject
 * (`sub-XX/eeg/sub-XX_desc-identification_{scores,confusion}.tsv`) and for
 * the group (`group/desc-identification_{scores,confusions,persong,training}.tsv`,
 * `_curve.json`, `_summary.json`). decode-eeg writes it through the writers
 * here; the report reads it with openIdentification.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { TsvColumnDescription } from '../io/tsv.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { readTable, table, writeTable, type Row } from './table.js';

const D: Record<string, TsvColumnDescription> = {
  subject: { Description: 'Subject whose test items are scored ("all" = pooled)' },
  decoder: {
    Description: 'Decoder',
    Levels: {
      predann: 'EEG CNN with song CE + λ·InfoNCE to the ANN representation',
      'predann-noann': 'the same CNN with λ = 0',
      regression: 'lagged ridge backward model of the ANN representation, identification by correlation',
      'mtrf-envelope': 'mTRF envelope reconstruction, identification by correlation',
    },
  },
  split: {
    Description: 'Cross-validation split',
    Levels: {
      'chunk-leaky': "PredANN's split: 30-s chunks per subject × song, 25 % held out per song; the same subject's other chunks of the song train (leaky)",
      'random-chunk': 'random windows, overlapping windows of the same presentation in train and test (leakier)',
      'time-block': 'held-out time blocks within songs',
      loso: 'leave one subject out',
    },
  },
  window_s: { Description: 'Length of the evaluated EEG stretch', Units: 's' },
  combine: {
    Description: 'How the decoder windows inside a stretch are combined',
    Levels: {
      mean: 'mean softmax probability (CNN, as PredANN) or mean correlation (regression decoders)',
      'mean-logprob': 'mean log-probability (CNN; equals mean for the regression decoders)',
      max: 'maximum score',
      vote: 'majority vote of window predictions',
    },
  },
};

/** The columns that name one evaluated cell: decoder, split, window length, combination rule. */
const cellColumns = { decoder: 'text', split: 'text', window_s: 'num', combine: 'text' } as const;
const cellDescribe = { decoder: D.decoder, split: D.split, window_s: D.window_s, combine: D.combine };

const scoreColumns = {
  ...cellColumns,
  n_items: 'int',
  top1: 'num',
  top1_lo: 'num',
  top1_hi: 'num',
  topk: 'num',
  k: 'int',
  chance: 'num',
  chance_topk: 'num',
  p_perm: 'num',
} as const;
const scoreDescribe = {
  ...cellDescribe,
  n_items: { Description: 'Number of evaluated stretches' },
  top1: { Description: 'Top-1 identification accuracy (fraction)' },
  top1_lo: { Description: 'Lower bound of the 95% percentile-bootstrap CI of top1 (items resampled)' },
  top1_hi: { Description: 'Upper bound of the 95% percentile-bootstrap CI of top1' },
  topk: { Description: 'Top-k accuracy (fraction; ties ranked against the true song)' },
  k: { Description: 'k of topk' },
  chance: { Description: 'Chance level of top1 (1 / number of songs)' },
  chance_topk: { Description: 'Chance level of topk (k / number of songs)' },
  p_perm: { Description: 'Permutation p of top1 (true labels shuffled across items), (1 + #null ≥ observed)/(1 + P)' },
};

/** One subject's scores (the subject is in the file name). */
export const subjectScoresTable = table(scoreColumns, scoreDescribe);
/** Every subject's scores and the pooled ones (subject "all"). */
export const groupScoresTable = table({ subject: 'text', ...scoreColumns }, { subject: D.subject, ...scoreDescribe });
export type ScoreTableRow = Row<typeof groupScoresTable.columns>;

const conf = { true_stim: { Description: 'Song heard' }, count: { Description: 'Number of items (zero cells omitted)' } };
/** A subject's song confusions at the shortest window (long format, zero cells omitted). */
export const subjectConfusionTable = table(
  { decoder: 'text', split: 'text', true_stim: 'text', predicted_stim: 'text', count: 'int' },
  {
    decoder: D.decoder,
    split: D.split,
    ...conf,
    predicted_stim: { Description: 'Top-1 song (base window, mean combination)' },
  },
);
export type ConfusionRow = Row<typeof subjectConfusionTable.columns>;
/** Every subject's confusions at every window length. */
export const groupConfusionsTable = table(
  { subject: 'text', decoder: 'text', split: 'text', window_s: 'num', true_stim: 'text', predicted_stim: 'text', count: 'int' },
  {
    subject: D.subject,
    decoder: D.decoder,
    split: D.split,
    window_s: D.window_s,
    ...conf,
    predicted_stim: { Description: 'Top-1 song (mean combination)' },
  },
);
export const perSongTable = table(
  { ...cellColumns, song: 'text', n_items: 'int', top1: 'num' },
  {
    ...cellDescribe,
    song: { Description: 'Song heard (true label of the items)' },
    n_items: { Description: 'Items of this song, all subjects pooled' },
    top1: { Description: 'Fraction of them identified correctly' },
  },
);
/** The EEG encoders' training log, one row per decoder × split × fold × epoch. */
export const trainingTable = table(
  {
    decoder: 'text',
    split: 'text',
    fold: 'text',
    epoch: 'int',
    loss: 'num',
    ce: 'num',
    ce_audio: 'num',
    nce: 'num',
    train_acc: 'num',
    val_ce: 'num',
    val_acc: 'num',
    best_epoch: 'int',
  },
  {
    loss: { Description: 'Training loss L = CE_eeg + CE_audio + λ·InfoNCE (+ weight decay), mean over windows', Units: 'nats' },
    ce: { Description: 'Song cross-entropy of the EEG encoder', Units: 'nats' },
    ce_audio: { Description: "Song cross-entropy of PredANN's audio CNN (0 without the audio branch)", Units: 'nats' },
    nce: { Description: 'Symmetric InfoNCE between the EEG embedding and the (stop-gradient) target', Units: 'nats' },
    train_acc: { Description: 'Training-batch top-1 accuracy (fraction, dropout on)' },
    val_ce: { Description: 'Eval-mode cross-entropy on the held-out validation segments (n/a without early stopping)', Units: 'nats' },
    val_acc: { Description: 'Eval-mode top-1 accuracy on the validation segments (fraction)' },
    best_epoch: { Description: 'Epoch whose weights were kept (lowest val_ce)' },
  },
);
export type TrainingRow = Row<typeof trainingTable.columns>;

const nullableNum = z.number().nullable();
export const curveSchema = z
  .object({
    description: z.string(),
    x: z.literal('window_s'),
    y: z.literal('top1'),
    songs: z.array(z.string()),
    series: z.array(
      z
        .object({
          decoder: z.string(),
          split: z.string(),
          combine: z.string(),
          subject: z.string(),
          window_s: z.array(z.number()),
          top1: z.array(nullableNum),
          top1_lo: z.array(nullableNum),
          top1_hi: z.array(nullableNum),
          chance: z.number(),
        })
        .strict(),
    ),
  })
  .strict();

/** The run's summary: the song order of every confusion, and what the run decoded (`meta`, free-form). */
export const summarySchema = z.object({ songs: z.array(z.string()), nSongs: z.number().int() }).loose();

const G = 'group';
const files = {
  subjectScores: (s: string) => path.join(s, 'eeg', `${s}_desc-identification_scores.tsv`),
  subjectConfusion: (s: string) => path.join(s, 'eeg', `${s}_desc-identification_confusion.tsv`),
  groupScores: path.join(G, 'desc-identification_scores.tsv'),
  groupConfusions: path.join(G, 'desc-identification_confusions.tsv'),
  perSong: path.join(G, 'desc-identification_persong.tsv'),
  curve: path.join(G, 'desc-identification_curve.json'),
  training: path.join(G, 'desc-identification_training.tsv'),
  summary: path.join(G, 'desc-identification_summary.json'),
};

/** Everything decode-eeg writes, as typed rows (subjects carry their sub- prefix). */
export interface IdentificationArtifact {
  perSubject: { subject: string; scores: Row<typeof subjectScoresTable.columns>[]; confusion: ConfusionRow[] }[];
  scores: ScoreTableRow[];
  confusions: Row<typeof groupConfusionsTable.columns>[];
  perSong: Row<typeof perSongTable.columns>[];
  curve: z.input<typeof curveSchema>;
  training: TrainingRow[];
  summary: z.input<typeof summarySchema>;
}

export function writeIdentification(dir: string, a: IdentificationArtifact): void {
  for (const s of a.perSubject) {
    writeTable(path.join(dir, files.subjectScores(s.subject)), subjectScoresTable, s.scores);
    writeTable(path.join(dir, files.subjectConfusion(s.subject)), subjectConfusionTable, s.confusion);
  }
  writeTable(path.join(dir, files.groupScores), groupScoresTable, a.scores);
  writeTable(path.join(dir, files.groupConfusions), groupConfusionsTable, a.confusions);
  writeTable(path.join(dir, files.perSong), perSongTable, a.perSong);
  writeJsonFile(path.join(dir, files.curve), curveSchema, a.curve);
  writeTable(path.join(dir, files.training), trainingTable, a.training);
  writeJsonFile(path.join(dir, files.summary), summarySchema, a.summary);
}

/** A decode-eeg artifact folder; each file is read when asked. */
export interface OpenedIdentification {
  dir: string;
  /** group/desc-identification_scores.tsv (every subject and the pooled rows). */
  scores(): { file: string; rows: ScoreTableRow[] };
  /** Subjects (with sub- prefix) that have per-subject files. */
  subjects(): string[];
  subjectConfusion(subject: string): ConfusionRow[];
  /** group/desc-identification_confusions.tsv: every subject's confusions at every window length. */
  confusions(): { file: string; rows: Row<typeof groupConfusionsTable.columns>[] };
  /** group/desc-identification_persong.tsv: top-1 per song, listeners pooled. */
  perSong(): { file: string; rows: Row<typeof perSongTable.columns>[] };
  training(): TrainingRow[];
  summary(): z.output<typeof summarySchema>;
}

export function openIdentification(dir: string): OpenedIdentification {
  return {
    dir,
    scores: () => {
      const file = path.join(dir, files.groupScores);
      return { file, rows: readTable(file, groupScoresTable).rows };
    },
    subjects: () =>
      fs
        .readdirSync(dir)
        .filter((d) => /^sub-[A-Za-z0-9]+$/.test(d) && fs.existsSync(path.join(dir, files.subjectScores(d))))
        .sort(),
    subjectConfusion: (s) => readTable(path.join(dir, files.subjectConfusion(s)), subjectConfusionTable).rows,
    confusions: () => {
      const file = path.join(dir, files.groupConfusions);
      return { file, rows: readTable(file, groupConfusionsTable).rows };
    },
    perSong: () => {
      const file = path.join(dir, files.perSong);
      return { file, rows: readTable(file, perSongTable).rows };
    },
    training: () => readTable(path.join(dir, files.training), trainingTable).rows,
    summary: () => readJsonFile(path.join(dir, files.summary), summarySchema),
  };
}
