// The selected runs' metrics as files: JSON with each whole record (less
// the weights, which stay in the browser), and CSV with one row per run
// and epoch. Pure.
import type { RunRow } from './table';

export const RUNS_CSV_COLUMNS = [
  'run_id',
  'name',
  'dataset',
  'model',
  'seed',
  'status',
  'recipe',
  'changes',
  'epoch',
  'train_loss',
  'train_top1',
  'train_top5',
  'val_top1',
  'val_top5',
  'val_top1_ema',
  'val_top5_ema',
  'lr',
  'images_per_second',
  'seconds',
] as const;

/** Quotes a field when it holds a comma, a quote or a line break. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header, then one line per run and epoch; a run without epochs: none. */
export function runsCsv(rows: readonly RunRow[]): string {
  const lines = [RUNS_CSV_COLUMNS.join(',')];
  for (const { record: r, changes } of rows) {
    for (const e of r.epochs) {
      const fields = [
        r.runId,
        r.name,
        r.dataset,
        r.model,
        r.seed,
        r.status,
        r.query,
        changes,
        e.epoch,
        e.trainLoss,
        e.trainTop1,
        e.trainTop5,
        e.valTop1,
        e.valTop5,
        e.valTop1Ema,
        e.valTop5Ema,
        e.lr,
        e.imagesPerSecond,
        e.seconds,
      ];
      lines.push(fields.map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface RunsExport {
  /** Format version of this file. */
  version: 1;
  baseline: string | null;
  runs: (RunRow['record'] & { changes: string })[];
}

export function runsJson(
  rows: readonly RunRow[],
  baselineId: string | null,
): string {
  const file: RunsExport = {
    version: 1,
    baseline: baselineId,
    runs: rows.map((row) => ({ ...row.record, changes: row.changes })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
