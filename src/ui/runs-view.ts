// What the runs panel shows, derived from the runs store: the table's rows
// (with each run's changes against the baseline), filtered and sorted, and
// the rows chosen for the overlay. Pure.
import { filterRuns, runRows, sortRuns, type RunRow } from '../runs/table';
import type { RunsState } from './runs-store';

export type RunsView = Pick<
  RunsState,
  'records' | 'baselineId' | 'sort' | 'filter' | 'overlay'
>;

/** Every row, with its changes against the baseline, in no order. */
export function allRows(s: Pick<RunsView, 'records' | 'baselineId'>): RunRow[] {
  return runRows(s.records, s.baselineId);
}

export function tableRows(
  rows: readonly RunRow[],
  s: Pick<RunsView, 'sort' | 'filter'>,
): RunRow[] {
  return sortRuns(filterRuns(rows, s.filter), s.sort);
}

/** The runs chosen for the overlay, in the order they were chosen. */
export function overlayRowsOf(
  rows: readonly RunRow[],
  overlay: readonly string[],
): RunRow[] {
  return overlay.flatMap((id) => rows.filter((r) => r.record.runId === id));
}
