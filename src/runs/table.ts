// The runs table's rows: each record with what changed against the chosen
// baseline, sorted by a column and filtered by text. Pure.
import { describeChanges } from './recipe-diff';
import type { RunRecord, RunRecordStatus } from './record';

export interface RunRow {
  record: RunRecord;
  /** Against the baseline: "baseline" for itself, "" with none chosen. */
  changes: string;
}

export const SORT_COLUMNS = [
  'name',
  'dataset',
  'model',
  'status',
  'bestTop1',
  'epochs',
  'createdAt',
  'changes',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export interface RunSort {
  column: SortColumn;
  descending: boolean;
}

/** Newest first, as a log reads. */
export const DEFAULT_SORT: RunSort = { column: 'createdAt', descending: true };

/** The label of `record` against `baseline`. */
export function changesLabel(
  record: RunRecord,
  baseline: RunRecord | null,
): string {
  if (!baseline) return '';
  if (baseline.runId === record.runId) return 'baseline';
  return describeChanges(baseline.recipe, record.recipe);
}

export function runRows(
  records: readonly RunRecord[],
  baselineId: string | null,
): RunRow[] {
  const baseline = records.find((r) => r.runId === baselineId) ?? null;
  return records.map((record) => ({
    record,
    changes: changesLabel(record, baseline),
  }));
}

// Running first when ascending: the order a user scans a log in.
const STATUS_ORDER: Record<RunRecordStatus, number> = {
  running: 0,
  finished: 1,
  stopped: 2,
  failed: 3,
};

function sortValue(row: RunRow, column: SortColumn): string | number | null {
  const r = row.record;
  switch (column) {
    case 'name':
    case 'dataset':
    case 'model':
      return r[column].toLowerCase();
    case 'status':
      return STATUS_ORDER[r.status];
    case 'bestTop1':
      return r.bestTop1;
    case 'epochs':
      return r.epochs.length;
    case 'createdAt':
      return r.createdAt;
    case 'changes':
      return row.changes.toLowerCase();
  }
}

function compareValues(
  a: string | number | null,
  b: string | number | null,
): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Sorted by `sort`, ties by creation time, newest first. Rows without a
 * value (no epoch yet) go last in either direction.
 */
export function sortRuns(rows: readonly RunRow[], sort: RunSort): RunRow[] {
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((x, y) => {
    const a = sortValue(x, sort.column);
    const b = sortValue(y, sort.column);
    if (a === null || b === null) {
      if (a !== b) return a === null ? 1 : -1;
    } else {
      const order = compareValues(a, b);
      if (order !== 0) return sign * order;
    }
    return y.record.createdAt - x.record.createdAt;
  });
}

/**
 * Rows whose name, dataset, model, recipe query or changes hold every
 * word of `text`, case-insensitive; all rows for blank text.
 */
export function filterRuns(rows: readonly RunRow[], text: string): RunRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows.slice();
  return rows.filter((row) => {
    const { name, dataset, model, query } = row.record;
    const hay = [name, dataset, model, query, row.changes]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
